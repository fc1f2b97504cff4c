"""What kind of file a repo path is (weights, card, config), by the conventions of the Hub."""

from __future__ import annotations

WEIGHT_SUFFIXES = (
    ".safetensors",
    ".bin",
    ".gguf",
    ".pt",
    ".pth",
    ".ckpt",
    ".h5",
    ".msgpack",
    ".onnx",
    ".tflite",
    ".mlmodel",
    ".pkl",
    ".pickle",
    ".joblib",
    ".npz",
    ".nemo",
    ".keras",
)
NOT_WEIGHTS = ("training_args.bin", "optimizer.pt", "scheduler.pt", "rng_state.pth")


def is_weight_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith(WEIGHT_SUFFIXES) and name not in NOT_WEIGHTS and not name.startswith("rng_state")
