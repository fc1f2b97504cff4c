"""Vocabulary and calibration constants of the synthetic hub.

Shares follow the published figures in docs/published_figures.csv (with the studies that report them);
every synthetic record is tagged `synthetic` so nobody mistakes it for the real sample.
"""

from dataclasses import dataclass

SYNTHETIC_TAG = "synthetic"

EDGES_PER_MODEL = 0.31  # 573,653 edges / 1,860,411 models
LARGEST_FAMILY_SHARE = 0.018  # FLUX.1-dev ~33k of 1.86M

# Licenses over all models (apache 16%, mit 6%, other 4.4%, openrail 2%, creativeml 1.6%, cc-by-nc 0.8%,
# llama2/llama3/gemma 0.5% each); the rest declare none.
ROOT_LICENSES = {
    "apache-2.0": 0.32,
    "mit": 0.12,
    "llama2": 0.08,
    "llama3": 0.08,
    "llama3.1": 0.04,
    "gemma": 0.03,
    "other": 0.08,
    "openrail": 0.04,
    "creativeml-openrail-m": 0.05,
    "cc-by-nc-4.0": 0.04,
    "cc-by-4.0": 0.03,
    "bigscience-bloom-rail-1.0": 0.02,
    "gpl-3.0": 0.02,
    "openrail++": 0.02,
    "cc-by-sa-4.0": 0.03,
}
ISOLATE_LICENSES = {
    None: 0.66,
    "apache-2.0": 0.16,
    "mit": 0.07,
    "other": 0.04,
    "openrail": 0.02,
    "creativeml-openrail-m": 0.015,
    "cc-by-nc-4.0": 0.01,
    "cc-by-4.0": 0.01,
    "gpl-3.0": 0.005,
    "afl-3.0": 0.005,
    "bsd-3-clause": 0.005,
    "unknown": 0.005,
}
# Downstream drift: the license order of the Anatomy study (restrictive upstream, permissive / copyleft
# downstream). A mutating child moves to one of these.
LICENSE_DRIFT = {
    "gemma": ["apache-2.0", "mit", "cc-by-nc-4.0", "other"],
    "llama3": ["apache-2.0", "mit", "llama3", "cc-by-nc-4.0", "other"],
    "llama3.1": ["apache-2.0", "mit", "cc-by-nc-4.0", "creativeml-openrail-m"],
    "llama2": ["apache-2.0", "mit", "cc-by-nc-4.0", "other", "openrail"],
    "other": ["apache-2.0", "mit", "cc-by-4.0"],
    "apache-2.0": ["mit", "cc-by-4.0", "gpl-3.0", "cc-by-sa-4.0"],
    "mit": ["apache-2.0", "cc-by-4.0", "gpl-3.0"],
    "openrail": ["creativeml-openrail-m", "apache-2.0", "mit"],
    "creativeml-openrail-m": ["openrail", "apache-2.0", "mit", "cc-by-nc-4.0"],
    "openrail++": ["openrail", "creativeml-openrail-m", "apache-2.0"],
    "cc-by-nc-4.0": ["cc-by-4.0", "apache-2.0", "mit"],
    "cc-by-4.0": ["mit", "apache-2.0", "cc-by-sa-4.0"],
    "cc-by-sa-4.0": ["cc-by-4.0", "gpl-3.0", "mit"],
    "bigscience-bloom-rail-1.0": ["apache-2.0", "openrail", "mit"],
    "gpl-3.0": ["mit", "apache-2.0"],
}
LICENSE_MUTATION = 0.20
LICENSE_OMITTED_BY_CHILD = 0.45
LANGUAGE_MUTATION = 0.24
TASK_MUTATION = 0.41
# Stale parent ids: a family base renamed after children declared it (its old id answers with a redirect, as
# bert-base-uncased -> google-bert/bert-base-uncased), and cards naming a parent in another letter case.
RENAMED_BASE = 0.03  # share of families of 3+ models whose base was renamed
CARD_KEEPS_OLD_ID = 0.5  # share of that base's children whose card still names the old id
STALE_CASE = 0.005  # share of declared parent references written in another letter case

LANGUAGES = [
    "en",
    "zh",
    "fr",
    "de",
    "es",
    "ja",
    "ko",
    "ru",
    "pt",
    "it",
    "ar",
    "hi",
    "vi",
    "tr",
    "pl",
    "nl",
    "id",
    "sv",
    "uk",
    "fa",
    "th",
    "he",
    "cs",
    "ro",
]


@dataclass(frozen=True)
class Domain:
    """What the families of one domain make: share of families, task, library, architecture, sizes, tasks."""

    weight: float
    pipeline: str
    library: str
    arch: tuple[str, str]  # (architecture class, model_type)
    sizes: list[str]
    tasks: list[str]


DOMAINS = {
    "llm": Domain(
        0.62,
        "text-generation",
        "transformers",
        ("LlamaForCausalLM", "llama"),
        ["0.5B", "1B", "1.5B", "3B", "7B", "8B", "13B", "14B", "32B", "70B"],
        ["text-generation", "text-classification", "question-answering", "summarization", "translation"],
    ),
    "diffusion": Domain(
        0.14,
        "text-to-image",
        "diffusers",
        ("StableDiffusionPipeline", "unet"),
        ["", "XL", "2B", "8B"],
        ["text-to-image", "image-to-image"],
    ),
    "encoder": Domain(
        0.14,
        "fill-mask",
        "transformers",
        ("BertForMaskedLM", "bert"),
        ["small", "base", "large"],
        [
            "fill-mask",
            "text-classification",
            "token-classification",
            "sentence-similarity",
            "question-answering",
            "feature-extraction",
        ],
    ),
    "speech": Domain(
        0.06,
        "automatic-speech-recognition",
        "transformers",
        ("WhisperForConditionalGeneration", "whisper"),
        ["tiny", "small", "medium", "large"],
        ["automatic-speech-recognition", "text-to-speech", "audio-classification"],
    ),
    "vision": Domain(
        0.04,
        "image-classification",
        "transformers",
        ("ViTForImageClassification", "vit"),
        ["small", "base", "large"],
        ["image-classification", "object-detection", "image-segmentation"],
    ),
}
OTHER_LIBRARIES = [
    "sentence-transformers",
    "timm",
    "keras",
    "fastai",
    "pytorch",
    "stable-baselines3",
    "ml-agents",
    "onnx",
    "spacy",
    "flair",
]

BIG_ORGS = [
    "nimbus-ai",
    "corvid-labs",
    "aurora-research",
    "tessera",
    "halcyon-ml",
    "quill-ai",
    "lumen-org",
    "orion-lab",
    "vesper-ai",
    "marlin-research",
    "sable-ai",
    "kestrel-labs",
]
FINETUNE_WORDS = [
    "Instruct",
    "Chat",
    "Coder",
    "Math",
    "Med",
    "Law",
    "Finance",
    "RP",
    "Story",
    "Reasoning",
    "Vision",
    "Tool",
    "Hermes",
    "Dolphin",
    "Orca",
    "Alpaca",
    "Vicuna",
    "Sentiment",
    "NER",
    "QA",
]
MECHANISMS = ["sft", "dpo", "orpo", "lora", "qlora", "rlhf", "kto", "grpo"]
QUANT_FORMATS = ["GGUF", "AWQ", "GPTQ", "EXL2", "bnb-4bit", "MLX-4bit"]
GGUF_LEVELS = ["Q4_K_M", "Q5_K_M", "Q8_0", "Q6_K", "IQ4_XS", "Q3_K_S"]
MERGE_WORDS = ["slerp", "ties", "dare", "passthrough", "Franken", "Mix", "Blend", "Fusion"]
IDENTIFIERS = [
    "atlas",
    "beacon",
    "cascade",
    "delta",
    "echo",
    "falcon",
    "garnet",
    "harbor",
    "iris",
    "jade",
    "karma",
    "lotus",
    "meadow",
    "nectar",
    "onyx",
    "pulse",
    "quartz",
    "river",
    "summit",
    "tide",
    "umbra",
    "vortex",
    "wisp",
    "xenon",
    "yonder",
    "zenith",
    "my-model",
    "test",
    "final",
    "project",
]
DATASETS = [
    "tatsu-lab/alpaca",
    "Open-Orca/OpenOrca",
    "HuggingFaceH4/ultrachat_200k",
    "glue",
    "squad",
    "imdb",
    "wikitext",
    "common_voice",
    "librispeech_asr",
    "laion/laion2B-en",
    "mnist",
    "cifar10",
    "openai/gsm8k",
    "bigcode/the-stack",
    "allenai/c4",
    "teknium/OpenHermes-2.5",
    "ncbi_disease",
    "conll2003",
    "xsum",
    "cnn_dailymail",
]
SPACE_SDKS = {"gradio": 0.70, "streamlit": 0.18, "docker": 0.09, "static": 0.03}

# Hardware seen in card co2 reports and the model-card template
HARDWARE = [
    "1 x NVIDIA A100 80GB",
    "8 x A100 80GB",
    "4 x NVIDIA V100 32GB",
    "1 x T4",
    "2 x RTX 3090",
    "384 A100 80GB GPUs",
    "TPU v3-8",
    "1 x NVIDIA H100 80GB",
    "8 x H100 80GB",
    "Apple M2",
]
REGIONS = ["us-east-1", "us-west-2", "europe-west4", "Orsay, France", "Iowa, USA", "Virginia, USA", "Quebec, Canada"]
CLOUDS = ["AWS", "Google Cloud", "Azure", "Lambda Labs", "On-premise"]
TRAINING_TYPES = ["pre-training", "fine-tuning"]

# Prolific accounts that publish most quantized derivatives (as a few do on the real hub)
QUANTIZERS = ["quantforge", "gguf-mill", "bitsmith", "lowbit-labs", "q-archive"]
STEM_A = [
    "Nim",
    "Cor",
    "Aur",
    "Tes",
    "Hal",
    "Qui",
    "Lum",
    "Ori",
    "Ves",
    "Mar",
    "Sab",
    "Kes",
    "Jun",
    "Zep",
    "Cob",
    "Emb",
    "Sol",
    "Atl",
    "Nov",
    "Pal",
    "Roo",
    "Tun",
    "Wil",
    "Yar",
    "Bas",
    "Cir",
    "Dri",
    "Fab",
    "Gra",
    "Hel",
    "Ira",
    "Kal",
    "Mor",
    "Pyr",
    "Rhe",
    "Tal",
]
STEM_B = [
    "bus",
    "vid",
    "ora",
    "sera",
    "cyon",
    "ll",
    "en",
    "on",
    "per",
    "lin",
    "le",
    "trel",
    "iper",
    "hyr",
    "alt",
    "ber",
    "ace",
    "as",
    "va",
    "las",
    "k",
    "dra",
    "low",
    "row",
    "alt",
    "rus",
    "ft",
    "le",
    "nite",
    "ix",
    "dium",
    "va",
    "phe",
    "ros",
    "ma",
    "lon",
]
