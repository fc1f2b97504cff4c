"""`hubmine hub synth`: a deterministic synthetic hub of any size, streamed to disk family by family.

Memory stays bounded by the largest family (plus one 8-byte hash per model id), so a million models
generate on a laptop. Everything drawn is recorded as ground truth under truth/ so analyses can be
scored: true lineage edges and relations, naming conventions, variants, licenses, card kinds, CO2
facts, commit categories, planted Bayesian-network dependencies and checkpoint pairs.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from pipelines.replay.gitobj import filler_oid, git_blob_oid, lfs_pointer_oid, seal_history, sha256_hex
from pipelines.replay.store import STORE_FILE, StoreWriter
from pipelines.replay.synth import cards, checkpoints, names, vocab
from pipelines.replay.synth.history import WEIGHT_SUFFIXES, commit_message, plan_commits
from pipelines.replay.synth.truth import TruthWriters

GENERATOR_VERSION = 5  # 4: real git ids (commits, trees, blobs); 5: renamed bases, stale parent ids
HUB_START = datetime(2021, 3, 1, tzinfo=UTC)
HUB_END = datetime(2025, 10, 1, tzinfo=UTC)
GITATTRIBUTES = (
    b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n*.bin filter=lfs diff=lfs merge=lfs -text\n"
    b"*.gguf filter=lfs diff=lfs merge=lfs -text\ntokenizer.json filter=lfs diff=lfs merge=lfs -text\n"
)
LFS_MIN_SIZE = 1 << 20  # files this large are stored in LFS (the size limit of a crawler's blobless clone)
# the relation drawn for each derived model (the published edge mix it is set against: docs/published_figures.csv)
NODE_RELATIONS = {"adapter": 0.435, "finetune": 0.34, "quantized": 0.19, "merge": 0.035}
SIZE_PARAMS = {"tiny": 39e6, "small": 60e6, "base": 110e6, "medium": 350e6, "large": 770e6, "XL": 2.6e9, "": 1e9}


def zdate(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def params_of(size: str) -> int:
    if size.endswith("B") and size[:-1].replace(".", "").isdigit():
        return int(float(size[:-1]) * 1e9)
    return int(SIZE_PARAMS.get(size, 1e9))


@dataclass
class Node:
    """One model while its family is being built."""

    id: str
    author: str
    name: str
    stem: str
    size: str
    domain: str
    depth: int
    relation: str | None  # true relation to its parents (None for roots and isolates)
    parents: list[str]  # true parents
    variant: str
    convention: list[str]
    created: datetime
    license: str | None = None
    languages: list[str] = field(default_factory=list)
    pipeline: str = ""
    library: str | None = None
    datasets: list[str] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)  # what the card declares as base_model
    declared_as: dict[str, str] = field(default_factory=dict)  # true parent id -> the stale id the card writes
    declare_relation: bool = False
    evidence: str | None = None  # how an undeclared edge can still be inferred
    downloads: int = 0
    likes: int = 0
    spaces: list[str] = field(default_factory=list)
    card_kind: str = "handwritten"
    card_chars: int = 2000
    autotrain: bool = False
    co2: dict | None = None
    collaborative: bool = False
    team: list[str] = field(default_factory=list)
    checkpoint: bytes | None = None
    checkpoint_relation: str | None = None
    quant_format: str | None = None
    anomaly: str | None = None  # self_loop, cycle, orphan
    is_root: bool = False  # root of a family of two or more


class SyntheticHub:
    def __init__(
        self, n_models: int, seed: int, out: Path, checkpoint_models: int | None = None, undeclared_weights: float = 0.0
    ):
        self.n = n_models
        self.undeclared_weights = undeclared_weights  # share of checkpoint children that declare nothing at all
        self.seed = seed
        self.out = Path(out)
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.cap = max(8, int(vocab.LARGEST_FAMILY_SHARE * n_models))
        self.truncated_any = False
        self.emitted = 0
        default_budget = min(160, max(12, n_models // 25))
        self.checkpoint_budget = checkpoint_models if checkpoint_models is not None else default_budget
        self.isolate_share = self._calibrate_isolates()
        self.used: set[int] = set()
        self.made = 0
        self.user_count = 0
        self.teams: list[list[str]] = []
        self.space_count = 0
        self.self_loops_left = max(1, n_models // 5000) if n_models >= 500 else 0
        self.cycles_left = max(1, n_models // 20000) if n_models >= 1000 else 0
        self.renames: list[tuple[str, str]] = []  # (old id, current id) the hub redirects
        self.stale_rng = random.Random(seed ^ 0x57A1E)
        self.stale_case_any = False

    # -- calibration ---------------------------------------------------------------------------
    def _family_size(self, rng: random.Random) -> int:
        # discrete Pareto (alpha ~1.05), truncated at the largest family share of the hub
        return min(self.cap, int(2 * (1 - rng.random()) ** (-1 / 1.05)))

    def _calibrate_isolates(self) -> float:
        """Share of single-model families that makes edges/models match the Anatomy study."""
        rng = random.Random(self.seed ^ 0x5EED)
        sizes = [self._family_size(rng) for _ in range(20000)]
        m = sum(sizes) / len(sizes)
        target = vocab.EDGES_PER_MODEL / 1.03  # merges add a second parent edge
        # (1-q)(m-1) / (q + (1-q) m) = target  ->  q
        q = ((m - 1) - target * m) / ((m - 1) - target * m + target)
        return min(0.99, max(0.0, q))

    # -- identities ----------------------------------------------------------------------------
    def _oid(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"

    def _mongo_id(self, created: datetime) -> str:
        return f"{int(created.timestamp()):08x}{self.rng.getrandbits(64):016x}"

    def _free(self, rid: str) -> bool:
        """Claim a repo id (ids are unique regardless of letter case, as on the Hub); False if taken."""
        h = int.from_bytes(hashlib.blake2b(rid.lower().encode(), digest_size=8).digest(), "big")
        if h in self.used:
            return False
        self.used.add(h)
        return True

    def _claim(self, author: str, name: str) -> str:
        base = name
        k = 1
        while not self._free(f"{author}/{name}"):
            k += 1
            name = f"{base}-{k}"
        return f"{author}/{name}"

    def _user(self) -> str:
        # a growing population with heavy-tailed activity: reuse earlier users often
        rng = self.rng
        if self.user_count and rng.random() < 0.62:
            k = int(self.user_count * rng.random() ** 2.5)
        else:
            k = self.user_count
            self.user_count += 1
        return names.handle(k)

    def _team(self) -> list[str]:
        rng = self.rng
        if self.teams and rng.random() < 0.7:
            return rng.choice(self.teams)
        team = [self._user() for _ in range(rng.randint(2, 5))]
        self.teams.append(team)
        return team

    def _date_after(self, parent: datetime) -> datetime:
        dt = parent + timedelta(days=self.rng.expovariate(1 / 70), seconds=self.rng.randrange(86400))
        return min(dt, HUB_END - timedelta(days=1))

    def _root_date(self) -> datetime:
        # hub growth is roughly exponential: later dates are more likely
        span = (HUB_END - HUB_START).total_seconds()
        u = self.rng.random()
        return HUB_START + timedelta(seconds=span * (math.log1p(u * (math.e**2.5 - 1)) / 2.5))

    # -- families ------------------------------------------------------------------------------
    def _domain(self) -> str:
        doms = list(vocab.DOMAINS)
        return self.rng.choices(doms, [vocab.DOMAINS[d]["weight"] for d in doms])[0]

    def _stem(self, k: int) -> str:
        a = vocab.STEM_A[k % len(vocab.STEM_A)]
        b = vocab.STEM_B[(k // len(vocab.STEM_A)) % len(vocab.STEM_B)]
        n = k // (len(vocab.STEM_A) * len(vocab.STEM_B))
        return f"{a}{b}{n if n else ''}"

    def _languages_root(self, domain: str) -> list[str]:
        rng = self.rng
        if domain in ("diffusion", "vision"):
            return ["en"] if rng.random() < 0.5 else []
        if rng.random() < 0.55:
            k = min(len(vocab.LANGUAGES), max(2, int(rng.gauss(9, 4))))
            return ["en"] + rng.sample(vocab.LANGUAGES[1:], k - 1)
        return ["en"] if rng.random() < 0.8 else [rng.choice(vocab.LANGUAGES[1:])]

    def _license_root(self, domain: str) -> str:
        lic = self.rng.choices(list(vocab.ROOT_LICENSES), list(vocab.ROOT_LICENSES.values()))[0]
        if domain == "diffusion" and self.rng.random() < 0.6:
            lic = self.rng.choice(["creativeml-openrail-m", "openrail++", "openrail", "other"])
        return lic

    def _build_family(self, fam: int, size: int) -> list[Node]:
        rng = self.rng
        domain = self._domain()
        dom = vocab.DOMAINS[domain]
        if size == 1:
            return [self._isolate(domain)]
        stem = self._stem(fam)
        size_tok = rng.choice(dom["sizes"])
        big = size >= 20 or rng.random() < 0.3
        author = rng.choice(vocab.BIG_ORGS) if big else self._user()
        name, conv = names.root_name(rng, stem, size_tok)
        created = self._root_date()
        root = Node(
            self._claim(author, name),
            author,
            name,
            stem,
            size_tok,
            domain,
            0,
            None,
            [],
            "base",
            conv,
            created,
            license=self._license_root(domain),
            languages=self._languages_root(domain),
            pipeline=dom["pipeline"],
            library=dom["library"],
            datasets=rng.sample(vocab.DATASETS, rng.randint(0, 3)),
        )
        root.card_kind = rng.choices(["handwritten", "template", "trainer"], [0.72, 0.23, 0.05])[0]
        root.card_chars = int(min(40000, rng.lognormvariate(math.log(8200), 0.6)))
        root.collaborative = big and rng.random() < 0.5 or rng.random() < 0.08
        if root.collaborative:
            root.team = self._team()
        root.is_root = True
        nodes = [root]
        finetunes: list[Node] = []
        has_children: set[str] = set()
        for _ in range(size - 1):
            rel = rng.choices(list(NODE_RELATIONS), list(NODE_RELATIONS.values()))[0]
            pool = [root] + finetunes
            if rel == "merge" and len(pool) < 2:
                rel = "finetune"
            if rel == "merge":
                parents = rng.sample(pool, 2 if rng.random() < 0.85 else min(3, len(pool)))
            else:
                parent = root
                if finetunes and rng.random() < (0.10 if rel == "finetune" else 0.35 if rel == "quantized" else 0.06):
                    parent = rng.choice(finetunes)
                parents = [parent]
            child = self._child(parents, rel, domain)
            for p in parents:
                has_children.add(p.id)
            nodes.append(child)
            if rel == "finetune":
                finetunes.append(child)
        self._plant_anomalies(nodes)
        self._plant_stale_ids(nodes)
        return nodes

    def _isolate(self, domain: str) -> Node:
        rng = self.rng
        dom = vocab.DOMAINS[domain]
        author = self._user()
        lang = rng.choice(["en", "en", "en", "es", "zh", "fr", "de"]) if rng.random() < 0.4 else None
        relation = None
        r = rng.random()
        if r < 0.55:
            name, conv = names.child_name(rng, "finetune", rng.choice(vocab.IDENTIFIERS), "", lang, "finetuned")
            variant = "finetuned"
        else:
            ident = rng.choice(vocab.IDENTIFIERS)
            suffix = rng.choice(["model", "classifier", "v1", "test", "demo", "bot"])
            name, conv = f"{ident}-{suffix}", ["identifier", "identifier"]
            variant = "other"
        created = self._root_date()
        node = Node(
            self._claim(author, name),
            author,
            name,
            name.split("-")[0],
            "",
            domain,
            0,
            relation,
            [],
            variant,
            conv,
            created,
            pipeline=rng.choice(dom["tasks"]),
            library=dom["library"] if rng.random() < 0.7 else rng.choice(vocab.OTHER_LIBRARIES + [None]),
            datasets=rng.sample(vocab.DATASETS, rng.randint(0, 2)),
            languages=[lang] if lang else [],
        )
        node.license = rng.choices(list(vocab.ISOLATE_LICENSES), list(vocab.ISOLATE_LICENSES.values()))[0]
        node.autotrain = rng.random() < 0.06
        node.card_kind = (
            "autotrain"
            if node.autotrain
            else rng.choices(["handwritten", "template", "trainer", "none"], [0.25, 0.3, 0.25, 0.2])[0]
        )
        node.card_chars = int(rng.lognormvariate(math.log(1800), 0.8))
        if node.card_kind != "none" and rng.random() < 0.03:  # derived from a model not on the hub (deleted or private)
            node.declared = [f"{names.handle(10**6 + rng.randrange(10**5))}/{rng.choice(vocab.IDENTIFIERS)}-base"]
            node.anomaly = "orphan"
        return node

    def _child_languages(self, p: Node, rel: str) -> tuple[list[str], str | None]:
        """A child's languages (dropped, drifting to one, or inherited) and the one its name may carry."""
        rng = self.rng
        langs = list(p.languages)
        if rel not in ("finetune", "adapter"):
            return langs, None
        if rng.random() < 0.45:
            langs = []
        elif rng.random() < (0.7 if len(langs) > 3 else vocab.LANGUAGE_MUTATION):  # multilingual -> English-only
            langs = ["en"] if rng.random() < 0.7 else [rng.choice(vocab.LANGUAGES[1:])]
        return langs, langs[0] if len(langs) == 1 and rng.random() < 0.3 else None

    def _child_license(self, p: Node) -> str | None:
        """License downstream: inherited, omitted, or drifting."""
        rng = self.rng
        if rng.random() < vocab.LICENSE_OMITTED_BY_CHILD:
            return None
        if p.license and rng.random() < vocab.LICENSE_MUTATION:
            return rng.choice(vocab.LICENSE_DRIFT.get(p.license, ["apache-2.0", "mit"]))
        return p.license

    def _child(self, parents: list[Node], rel: str, domain: str) -> Node:
        rng = self.rng
        p = parents[0]
        dom = vocab.DOMAINS[domain]
        variant = {"adapter": "adapter", "quantized": "quantized", "merge": "merged"}.get(rel, "finetuned")
        if rel == "finetune":
            r = rng.random()
            variant = (
                "distilled" if r < 0.04 else "compressed" if r < 0.06 else "deduplicated" if r < 0.07 else "finetuned"
            )
        if rel == "quantized" and rng.random() < 0.6:
            author = rng.choice(vocab.QUANTIZERS)
        else:
            author = self._user()
        langs, lang = self._child_languages(p, rel)
        name, conv = names.child_name(rng, rel, p.stem, p.size, lang, variant)
        created = self._date_after(max(x.created for x in parents))
        node = Node(
            self._claim(author, name),
            author,
            name,
            p.stem,
            p.size,
            domain,
            max(x.depth for x in parents) + 1,
            rel,
            [x.id for x in parents],
            variant,
            conv,
            created,
            languages=langs,
            datasets=list(p.datasets),
        )
        node.license = self._child_license(p)
        node.pipeline = p.pipeline
        if rel == "finetune" and rng.random() < vocab.TASK_MUTATION:
            node.pipeline = rng.choice(dom["tasks"])
        quant_library = None if rng.random() < 0.7 else "transformers"
        node.library = {"adapter": "peft", "quantized": quant_library}.get(rel, dom["library"])
        if domain == "diffusion":
            node.library = "diffusers"
        if rel == "quantized":
            node.quant_format = "GGUF" if "GGUF" in name else rng.choice(["AWQ", "GPTQ", "EXL2"])
            if node.quant_format != "GGUF":
                node.library = "transformers"
        if rng.random() < 0.5:
            node.datasets = sorted(set(node.datasets + rng.sample(vocab.DATASETS, 1)))
        node.autotrain = rel == "finetune" and rng.random() < 0.08
        kinds = {
            "finetune": ([0.2, 0.3, 0.42, 0.08], None),
            "adapter": ([0.1, 0.6, 0.3, 0.0], None),
            "quantized": ([0.7, 0.3, 0.0, 0.0], None),
            "merge": ([0.6, 0.3, 0.1, 0.0], None),
        }[rel][0]
        card_kinds = ["handwritten", "template", "trainer", "autotrain"]
        node.card_kind = "autotrain" if node.autotrain else rng.choices(card_kinds, kinds)[0]
        node.card_chars = int(rng.lognormvariate(math.log(3300), 0.7))
        node.collaborative = rng.random() < 0.07
        if node.collaborative:
            node.team = self._team()
        # declaration: most children declare their parents; some only leave evidence behind
        node.declared = [x.id for x in parents]
        node.declare_relation = rng.random() < 0.3
        if rng.random() < 0.08:
            node.declared = []
            evidence = {"adapter": "adapter_config", "quantized": "name", "merge": "mergekit_config"}
            node.evidence = evidence.get(rel, "config")
            if rel == "quantized" and not node.name.startswith(p.name):
                node.name = f"{p.name}-{node.quant_format or 'GGUF'}"
                node.id = self._claim(author, node.name)
                node.convention = ["base-model", "quantization"]
        return node

    def _plant_anomalies(self, nodes: list[Node]) -> None:
        rng = self.rng
        if self.self_loops_left and len(nodes) >= 2 and rng.random() < 0.3:
            n = nodes[-1]
            n.declared = n.declared + [n.id]
            n.anomaly = "self_loop"
            self.self_loops_left -= 1
        elif self.cycles_left and len(nodes) >= 3 and rng.random() < 0.3:
            root, child = nodes[0], nodes[1]
            if child.declared == [root.id]:
                root.declared = [child.id]
                root.anomaly = "cycle"
                self.cycles_left -= 1

    def _plant_stale_ids(self, nodes: list[Node]) -> None:
        """Cards naming their base by its id before a rename, or in another letter case (the hub redirects both).

        Drawn from a generator of their own, so the rest of the hub is what the same seed gives without them.
        """
        rng = self.stale_rng
        root = nodes[0]
        kids = [n for n in nodes[1:] if root.id in n.declared and not n.anomaly]
        if len(nodes) >= 3 and kids and (rng.random() < vocab.RENAMED_BASE or not self.renames):
            old, k = root.name, 0
            while not self._free(old):  # an id nobody else holds: a bare legacy name, as bert-base-uncased was
                k += 1
                old = f"{root.name}-v{k}"
            self.renames.append((old, root.id))
            for i, kid in enumerate(kids):
                if i == 0 or rng.random() < vocab.CARD_KEEPS_OLD_ID:
                    kid.declared_as[root.id] = old
        for n in nodes[1:]:
            for p in n.declared:
                stale = rng.random() < vocab.STALE_CASE or not self.stale_case_any
                if stale and p not in n.declared_as and not n.anomaly:
                    n.declared_as[p] = p.upper() if p.upper() != p else p.lower()
                    self.stale_case_any = True

    def _written(self, n: Node) -> list[str]:
        """The parent ids as the card writes them."""
        return [n.declared_as.get(p, p) for p in n.declared]

    # -- popularity, spaces, energy ---------------------------------------------------------------
    def _popularity(self, nodes: list[Node]) -> None:
        rng = self.rng
        fam_scale = len(nodes)
        for n in nodes:
            if n.is_root:
                n.downloads = int(rng.lognormvariate(math.log(20000 * fam_scale), 2.2))
            elif rng.random() < 0.74:
                n.downloads = 0
            else:
                n.downloads = int(rng.paretovariate(1.3))
                if n.relation == "quantized":
                    n.downloads *= 4
            if n.downloads:
                n.likes = int(rng.lognormvariate(0, 1) * n.downloads**0.45 / 6)
            else:
                n.likes = 1 if rng.random() < 0.05 else 0

    def _assign_spaces(self, nodes: list[Node]) -> list[dict]:
        rng = self.rng
        spaces = []
        weights = [math.sqrt(n.downloads) for n in nodes]
        total = sum(weights)
        if total <= 0:
            return spaces
        expected = 0.05 * total**0.85
        count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        for _ in range(count):
            used = rng.choices(nodes, weights, k=1)
            if len(nodes) > 1 and rng.random() < 0.2:
                extra = rng.choice(nodes)
                if extra is not used[0]:
                    used.append(extra)
            owner = self._user()
            self.space_count += 1
            ident = rng.choice(vocab.IDENTIFIERS)
            kind = rng.choice(["demo", "chat", "playground", "app", "space"])
            sid = f"{owner}/{ident}-{kind}-{self.space_count}"
            created = self._date_after(max(u.created for u in used))
            record = {
                "_id": self._mongo_id(created),
                "id": sid,
                "author": owner,
                "sdk": rng.choices(list(vocab.SPACE_SDKS), list(vocab.SPACE_SDKS.values()))[0],
                "likes": int(rng.paretovariate(1.2)) - 1,
                "createdAt": zdate(created),
                "lastModified": zdate(self._date_after(created)),
                "sha": self._oid(),
                "private": False,
                "models": [u.id for u in used],
                "tags": ["gradio", vocab.SYNTHETIC_TAG],
                "trendingScore": 0,
            }
            for u in used:
                u.spaces.append(sid)
            spaces.append(record)
        return spaces

    def _energy(self, n: Node) -> None:
        rng = self.rng
        p = 0.85 if n.autotrain else 0.15 if n.is_root else 0.008
        if rng.random() < p:
            n.co2 = cards.co2_fact(rng, n.autotrain, params_of(n.size))

    # -- checkpoints -----------------------------------------------------------------------------
    def _checkpoint_family(self, nodes: list[Node]) -> None:
        """Give every member of a small family a tiny real checkpoint with known derivation."""
        rng = self.rng
        by_id = {n.id: n for n in nodes}
        weights: dict[str, dict] = {}
        for n in nodes:
            if n.relation is None:
                weights[n.id] = checkpoints.init(self.np_rng)
                n.checkpoint_relation = "base"
                continue
            parents = [weights[p] for p in n.parents if p in weights]
            rel = n.relation
            r = rng.random()
            if rel == "finetune" and r < 0.12:
                rel = "reupload"
            elif rel in ("finetune", "adapter") and r > 0.92:
                rel = "unrelated"  # declares a base its weights do not come from
            weights[n.id] = checkpoints.derive(rel, parents, self.np_rng)
            n.checkpoint_relation = rel
            self._declare_for_weights(n, rel)
        for nid, w in weights.items():
            by_id[nid].checkpoint = checkpoints.to_bytes(w)
            by_id[nid].library = "transformers"
            by_id[nid].quant_format = None

    def _declare_for_weights(self, n: Node, rel: str) -> None:
        """Merges declare all their parents (so weight checks can judge them against all); a share of the
        other derivatives declare nothing and leave no other trace, so only their weights tell (truth: "weights")."""
        if rel == "merge":
            n.declared, n.evidence = list(n.parents), None
        elif (
            self.undeclared_weights
            and rel != "unrelated"
            and len(n.parents) == 1
            and self.np_rng.random() < self.undeclared_weights
        ):
            n.declared, n.evidence, n.declare_relation = [], "weights", False

    # -- records ---------------------------------------------------------------------------------
    def _files(self, n: Node) -> tuple[str, dict[str, int]]:
        """Main weight file and the head file set {path: size} of a repo."""
        params = params_of(n.size)
        files: dict[str, int] = {".gitattributes": len(GITATTRIBUTES)}
        if n.checkpoint is not None:
            files["model.safetensors"] = len(n.checkpoint)
            files["config.json"] = 0
            return "model.safetensors", files
        if n.relation == "adapter":
            w = "pytorch_lora_weights.safetensors" if n.domain == "diffusion" else "adapter_model.safetensors"
            files[w] = int(params * 0.002) + 4096
            if n.domain != "diffusion":
                files["adapter_config.json"] = 0
            return w, files
        if n.relation == "quantized" and n.quant_format == "GGUF":
            w = f"{n.name}.{self.rng.choice(vocab.GGUF_LEVELS)}.gguf"
            files[w] = int(params * 0.6)
            if self.rng.random() < 0.5:
                files[f"{n.name}.Q8_0.gguf"] = int(params * 1.06)
            return w, files
        if n.domain == "diffusion":
            w = "unet/diffusion_pytorch_model.safetensors"
            files[w] = int(params * 2)
            files["model_index.json"] = 512
            return w, files
        w = "model.safetensors" if self.rng.random() < 0.85 else "pytorch_model.bin"
        if n.relation is None and n.depth == 0 and params > 5e9:
            files["model-00001-of-00002.safetensors"] = params
            files["model-00002-of-00002.safetensors"] = params
            files["model.safetensors.index.json"] = 24000
            w = "model-00001-of-00002.safetensors"
        else:
            files[w] = params * 2
        files["config.json"] = 0
        if n.domain in ("llm", "encoder"):
            files["tokenizer.json"] = 1_800_000
            files["tokenizer_config.json"] = 1200
            files["special_tokens_map.json"] = 400
        if n.relation == "quantized":
            files["quantize_config.json"] = 300
        if n.relation == "merge":
            files["mergekit_config.yml"] = 0
        return w, files

    def _regular_entry(self, path: str, idx: int, size: int) -> list:
        """Tree entry of a file whose content is not stored: a synthetic filler, or an LFS object when large."""
        drawn = self._oid()
        if size >= LFS_MIN_SIZE:
            sha = sha256_hex(drawn.encode())
            return [lfs_pointer_oid(sha, size), size, sha]
        return [filler_oid(path, idx, size), size, None]

    def _card_meta(self, n: Node) -> dict:
        meta: dict = {}
        if n.declared:
            written = self._written(n)
            meta["base_model"] = written[0] if len(written) == 1 and self.rng.random() < 0.55 else written
        if n.declared and n.declare_relation and n.relation:
            meta["base_model_relation"] = n.relation
        if n.license:
            meta["license"] = n.license
        if n.languages:
            meta["language"] = n.languages if len(n.languages) > 1 or self.rng.random() < 0.6 else n.languages[0]
        if n.library:
            meta["library_name"] = n.library
        if n.pipeline:
            meta["pipeline_tag"] = n.pipeline
        if n.datasets:
            meta["datasets"] = n.datasets
        tags = [vocab.SYNTHETIC_TAG]
        if n.autotrain:
            tags += ["autotrain"]
        if n.relation == "merge":
            tags += ["mergekit", "merge"]
        meta["tags"] = tags
        if n.co2 is not None and n.co2.get("yaml") is not None:
            meta["co2_eq_emissions"] = n.co2["yaml"]
        return meta

    def _tags(self, n: Node, meta: dict | None, weight_file: str) -> list[str]:
        tags = []
        if n.library:
            tags.append(n.library)
        tags.append(
            "gguf"
            if weight_file.endswith(".gguf")
            else "safetensors"
            if weight_file.endswith(".safetensors")
            else "pytorch"
        )
        if n.pipeline:
            tags.append(n.pipeline)
        if meta is not None:
            tags += [t for t in meta.get("tags", []) if t not in tags]
            tags += list(n.languages)
            tags += [f"dataset:{d}" for d in n.datasets]
            if n.license:
                tags.append(f"license:{n.license}")
            rel = meta.get("base_model_relation") or (
                "merge" if len(n.declared) > 1 else n.relation if n.relation in ("adapter", "quantized") else "finetune"
            )
            for b in self._written(n):
                tags += [f"base_model:{b}", f"base_model:{rel}:{b}"]
        else:
            tags.append(vocab.SYNTHETIC_TAG)
        if n.quant_format and n.quant_format != "GGUF":
            tags.append(n.quant_format.lower())
        tags.append("region:us")
        return tags

    def _emit(self, n: Node, root_id: str, writer: StoreWriter, truth: TruthWriters) -> None:
        """Write one model: its files, card, history, record and ground truth (random draws in a fixed order)."""
        self.emitted += 1
        weight_file, files = self._files(n)
        meta = self._card_meta(n)
        card, malformed = self._card(n, meta, files)
        contents, truncated_json = self._contents(n, files, card)
        plan, popular = self._plan(n, weight_file, files, card)
        commits, tags_refs, truth_commits = self._commits(n, plan, files, contents)
        for data in contents.values():
            writer.add_blob(data, zipped=len(data) > 256)
        if n.checkpoint is not None:
            writer.add_blob(n.checkpoint, key=sha256_hex(n.checkpoint))
        refs: dict[str, list] = {"tags": tags_refs}
        if self.rng.random() < 0.03:
            refs["converts"] = [{"name": "parquet", "commit": commits[-1]["id"]}]
        record = self._record(n, commits, None if malformed or card is None else meta, weight_file, files)
        writer.add_model(record, history=commits, refs=refs)
        self._truth(
            truth,
            n,
            root_id,
            record,
            {
                "card_malformed": malformed,
                "popular": popular,
                "has_release": bool(tags_refs),
                "commits": len(commits),
                "truncated_json": truncated_json,
            },
            truth_commits,
        )

    def _card(self, n: Node, meta: dict, files: dict[str, int]) -> tuple[bytes | None, bool]:
        """The README bytes (None for a repo without a card) and whether its front matter is malformed."""
        rng = self.rng
        malformed = rng.random() < 0.006 and n.card_kind != "none"
        version_note = n.card_kind == "handwritten" and rng.random() < 0.2
        if n.card_kind == "none":
            return None, malformed
        parent_for_text = n.parents[0] if n.parents and n.evidence != "weights" else None
        fm = cards.malformed_front_matter(meta, rng) if malformed else cards.front_matter(meta)
        card = (
            fm
            + "\n"
            + cards.card_body(
                rng,
                n.card_kind,
                model_id=n.id,
                parent=parent_for_text,
                task=n.pipeline or "machine learning",
                target_chars=int(n.card_chars * (1.5 if n.collaborative else 1)),
                co2=n.co2,
                datasets=n.datasets,
                version_note=version_note,
            )
        ).encode()
        files["README.md"] = len(card)
        return card, malformed

    def _contents(self, n: Node, files: dict[str, int], card: bytes | None) -> tuple[dict[str, bytes], str | None]:
        """The small files stored with their final content, and the config left truncated (if any)."""
        rng = self.rng
        contents: dict[str, bytes] = {".gitattributes": GITATTRIBUTES}
        truncated_json = None
        if n.evidence == "adapter_config" and "adapter_config.json" not in files:
            # a merged adapter ships full weights: only config.json can name its base; a diffusion LoRA
            # without a config leaves no trace of its base at all
            n.evidence = "config" if "config.json" in files else None
        if "config.json" in files:
            names_parent = bool(n.parents) and (n.evidence == "config" or (n.declared and rng.random() < 0.5))
            name_or_path = n.parents[0] if names_parent else None
            contents["config.json"] = (
                checkpoints.config_json(n.id, name_or_path)
                if n.checkpoint is not None
                else config_json(n.domain, name_or_path)
            )
        if "adapter_config.json" in files:
            contents["adapter_config.json"] = json.dumps(
                {
                    "base_model_name_or_path": n.parents[0] if n.parents else None,
                    "peft_type": "LORA",
                    "r": rng.choice([8, 16, 32, 64]),
                    "lora_alpha": 16,
                    "target_modules": ["q_proj", "v_proj"],
                    "task_type": "CAUSAL_LM",
                },
                indent=2,
            ).encode()
        if "mergekit_config.yml" in files:
            contents["mergekit_config.yml"] = (
                "models:\n" + "".join(f"  - model: {p}\n" for p in n.parents) + "merge_method: slerp\ndtype: bfloat16\n"
            ).encode()
        for path in ("config.json", "adapter_config.json"):
            # rare, but at least one per hub of a few hundred models so small hubs exercise the quarantine
            if path in contents and (rng.random() < 0.004 or (not self.truncated_any and self.emitted >= 120)):
                self.truncated_any = True
                contents[path] = contents[path][: len(contents[path]) // 2]
                truncated_json = path
        if card is not None:
            contents["README.md"] = card
        for path, data in contents.items():
            files[path] = len(data)
        return contents, truncated_json

    def _plan(self, n: Node, weight_file: str, files: dict[str, int], card: bytes | None) -> tuple[list, bool]:
        """The planned commits after the initial one (files they introduce join `files`), and popularity."""
        rng = self.rng
        popular = n.downloads >= 1000
        has_release = rng.random() < (0.3 if popular else 0.02)
        extra = min(60, int(rng.expovariate(1 / (1.6 + (1.5 if popular else 0) + (2.5 if n.collaborative else 0)))))
        plan = plan_commits(
            rng,
            weight_file=weight_file,
            owner=n.author,
            team=n.team,
            popular=popular,
            collaborative=n.collaborative,
            has_release=has_release,
            extra_commits=extra,
        )
        if n.checkpoint is not None:  # keep real checkpoint bytes the last word on the weights
            plan = [pc for pc in plan if not pc.touches_weights or pc is plan[0]]
        plan[0].files = sorted(set(plan[0].files) & set(files) | (set(files) - {".gitattributes"}))
        for pc in plan[1:]:
            for f in pc.files:  # files a later change introduces become part of the repo
                size = rng.randint(800, 20000) if not f.endswith(WEIGHT_SUFFIXES) else files[weight_file]
                if card is not None or f != "README.md":  # a repo without a card never gains one
                    files.setdefault(f, size)
            if card is None:
                pc.files = [f for f in pc.files if f != "README.md"]
        return plan, popular

    def _commits(
        self, n: Node, plan: list, files: dict[str, int], contents: dict[str, bytes]
    ) -> tuple[list[dict], list[dict], list[dict]]:
        """The sealed history, its release tags and a truth row per planned commit."""
        rng = self.rng
        last_touch = {f: i for i, pc in enumerate(plan) for f in pc.files}
        t0 = n.created
        t_end = self._date_after(t0) if plan[1:] else t0 + timedelta(minutes=rng.randint(1, 240))
        span = max(60.0, (t_end - t0).total_seconds())
        self._oid()  # ids are computed below; the draw keeps the random stream of earlier versions
        commits = [
            {
                "title": "initial commit",
                "message": "",
                "authors": ["system"],
                "date": zdate(t0),
                "changes": {".gitattributes": [git_blob_oid(GITATTRIBUTES), len(GITATTRIBUTES), None]},
            }
        ]
        tags_refs, truth_commits = [], []
        first_weight_upload = True
        for i, pc in enumerate(plan):
            date = t0 + timedelta(seconds=span * ((i + 1) / len(plan)))
            changes = {f: self._change(n, f, files[f], last_touch[f] == i, contents, len(commits)) for f in pc.files}
            self._oid()
            commits.append(
                {
                    "title": pc.title,
                    "message": commit_message(rng, pc),
                    "authors": pc.authors,
                    "date": zdate(date),
                    "changes": changes,
                }
            )
            if pc.release:
                tags_refs.append({"name": pc.release, "commit": len(commits) - 1})
            weights_changed = any(f.endswith(WEIGHT_SUFFIXES) for f in changes)
            represented = None
            if weights_changed:
                represented = _represented(pc.release, changes, first_weight_upload and "version" in n.convention)
                first_weight_upload = False
            truth_commits.append(
                {
                    "model_id": n.id,
                    "commit_id": len(commits) - 1,
                    "position": i + 1,
                    "categories": pc.categories,
                    "weights_changed": weights_changed,
                    "represented": represented,
                    "release": pc.release,
                }
            )
        seal_history(commits)
        for row in (*tags_refs, *truth_commits):
            key = "commit" if "commit" in row else "commit_id"
            row[key] = commits[row[key]]["id"]
        return commits, tags_refs, truth_commits

    def _change(self, n: Node, f: str, size: int, final: bool, contents: dict[str, bytes], index: int) -> list:
        """The tree entry a commit writes for file `f`: stored content, an LFS pointer or a regular blob."""
        if f in contents and final:
            data = contents[f]
            return [git_blob_oid(data), len(data), None]
        if f.endswith(WEIGHT_SUFFIXES):
            if final and n.checkpoint is not None and f == "model.safetensors":
                sha = sha256_hex(n.checkpoint)
            else:
                sha = f"{self.rng.getrandbits(256):064x}"
            return [lfs_pointer_oid(sha, size), size, sha]
        return self._regular_entry(f, index, size if final else max(1, int(size * self.rng.uniform(0.8, 1.2))))

    def _record(self, n: Node, commits: list[dict], meta: dict | None, weight_file: str, files: dict[str, int]) -> dict:
        """The model's API record as the hub lists it (`meta` is the card data, None when unreadable)."""
        rng = self.rng
        head_tree: dict[str, list] = {}
        for c in commits:
            head_tree.update(c["changes"])
        record = {
            "_id": self._mongo_id(n.created),
            "id": n.id,
            "modelId": n.id,
            "author": n.author,
            "sha": commits[-1]["id"],
            "lastModified": commits[-1]["date"],
            "createdAt": zdate(n.created),
            "private": False,
            "gated": False,
            "disabled": False,
            "downloads": n.downloads,
            "likes": n.likes,
        }
        if n.relation is None and n.license in ("llama2", "llama3", "llama3.1", "gemma") and rng.random() < 0.6:
            record["gated"] = rng.choice(["manual", "auto"])
        if n.library:
            record["library_name"] = n.library
        if n.pipeline:
            record["pipeline_tag"] = n.pipeline
        record["tags"] = self._tags(n, meta, weight_file)
        if meta is not None:
            record["cardData"] = meta
        record["siblings"] = [{"rfilename": p} for p in sorted(head_tree)]
        record["spaces"] = n.spaces
        record.update(_weights_metadata(n, weight_file))
        record["usedStorage"] = sum(files.values())
        return record

    @staticmethod
    def _truth(
        truth: TruthWriters, n: Node, root_id: str, record: dict, facts: dict, truth_commits: list[dict]
    ) -> None:
        """Ground-truth rows for the model, its lineage edges and its commits."""
        co2 = n.co2 or {}
        truth.add(
            "models",
            {
                "model_id": n.id,
                "mongo_id": record["_id"],
                "author": n.author,
                "family_root": root_id,
                "depth": n.depth,
                "relation": n.relation,
                "variant": n.variant,
                "naming_convention": "".join(f"{{{s}}}" for s in n.convention),
                "license": n.license,
                "languages": n.languages,
                "pipeline_tag": n.pipeline,
                "library": n.library,
                "card_kind": n.card_kind,
                "card_malformed": facts["card_malformed"],
                "autotrain": n.autotrain,
                "downloads": n.downloads,
                "likes": n.likes,
                "spaces": len(n.spaces),
                "collaborative": n.collaborative,
                "popular": facts["popular"],
                "has_release": facts["has_release"],
                "commits": facts["commits"],
                "co2_shape": co2.get("shape"),
                "co2_grams": co2.get("grams"),
                "co2_text_form": co2.get("text_form"),
                "hardware": co2.get("hardware"),
                "truncated_json": facts["truncated_json"],
                "anomaly": n.anomaly,
                "has_checkpoint": n.checkpoint is not None,
                "checkpoint_relation": n.checkpoint_relation,
                "created_at": zdate(n.created),
            },
        )
        for p in n.parents:
            truth.add(
                "edges",
                {
                    "child_id": n.id,
                    "parent_id": p,
                    "relation": n.relation,
                    "declared": p in n.declared,
                    "declared_as": n.declared_as.get(p, p) if p in n.declared else None,
                    "evidence": n.evidence if p not in n.declared else None,
                    "checkpoint_relation": n.checkpoint_relation if n.checkpoint is not None else None,
                },
            )
        for p in n.declared:
            if p not in n.parents:
                truth.add(
                    "edges",
                    {
                        "child_id": n.id,
                        "parent_id": p,
                        "relation": None,
                        "declared": True,
                        "declared_as": p,
                        "evidence": n.anomaly,
                        "checkpoint_relation": None,
                    },
                )
        for row in truth_commits:
            truth.add("commits", row)

    # -- driver -----------------------------------------------------------------------------------
    def run(self, progress=None) -> dict:
        self.out.mkdir(parents=True, exist_ok=True)
        writer = StoreWriter(self.out / STORE_FILE)
        truth = TruthWriters(self.out / "truth")
        t0 = time.time()
        fam = 0
        families = 0
        ck_left = self.checkpoint_budget
        spaces_total = 0
        try:
            while self.made < self.n:
                size = 1 if self.rng.random() < self.isolate_share else self._family_size(self.rng)
                size = min(size, self.n - self.made)
                nodes = self._build_family(fam, size)
                fam += 1
                families += 1
                if (
                    ck_left > 0
                    and 2 <= len(nodes) <= 10
                    and nodes[0].domain == "llm"
                    and not any(n.anomaly for n in nodes)
                ):
                    self._checkpoint_family(nodes)
                    ck_left -= len(nodes)
                self._popularity(nodes)
                for space in self._assign_spaces(nodes):
                    writer.add_space(space)
                    spaces_total += 1
                for n in nodes:
                    self._energy(n)
                    self._emit(n, nodes[0].id, writer, truth)
                self.made += len(nodes)
                if progress:
                    progress(self.made, self.n)
            manifest = {
                "kind": "synthetic",
                "generator": "hubmine hub synth",
                "generator_version": GENERATOR_VERSION,
                "seed": self.seed,
                "models": self.made,
                "families": families,
                "spaces": spaces_total,
                "renames": len(self.renames),
                "checkpoint_models": self.checkpoint_budget - max(0, ck_left),
                "isolate_share": round(self.isolate_share, 4),
                "note": "SYNTHETIC data generated by hubmine; calibrated to published figures "
                "(docs/published_figures.csv), not real models.",
                "seconds": round(time.time() - t0, 1),
            }
            for old, new in self.renames:
                writer.add_rename(old, new)
                truth.add("renames", {"old_id": old, "new_id": new})
            writer.set_meta("kind", "synthetic")
            writer.set_meta("manifest", manifest)
            truth.close()
            writer.close()
        except BaseException:
            writer.abort()
            raise
        (self.out / "SNAPSHOT.json").write_text(json.dumps(manifest, indent=2) + "\n")
        return manifest


def config_json(domain: str, name_or_path: str | None) -> bytes:
    arch, mtype = vocab.DOMAINS[domain]["arch"]
    cfg = {"architectures": [arch], "model_type": mtype, "torch_dtype": "bfloat16"}
    if name_or_path:
        cfg["_name_or_path"] = name_or_path
    return json.dumps(cfg, indent=2).encode()


def generate(
    out: Path,
    n_models: int,
    seed: int,
    checkpoint_models: int | None = None,
    progress=None,
    undeclared_weights: float = 0.0,
) -> dict:
    return SyntheticHub(n_models, seed, Path(out), checkpoint_models, undeclared_weights).run(progress)


def _represented(release: str | None, changes: dict, first_upload_of_versioned_name: bool) -> str:
    """Where a weight change is visible: a release tag, the card, the model's name, or nowhere."""
    if release:
        return "tag"
    if "README.md" in changes:
        return "card"
    return "name" if first_upload_of_versioned_name else "none"


def _weights_metadata(n: Node, weight_file: str) -> dict:
    """The record's safetensors / config / transformersInfo / gguf fields."""
    out: dict = {}
    params = params_of(n.size)
    if n.checkpoint is not None:
        params = sum(int(np.prod(s)) for s in checkpoints.tensor_shapes().values())
        out["safetensors"] = {"parameters": {"F32": params}, "total": params}
    elif weight_file.endswith(".safetensors") and n.relation != "adapter":
        out["safetensors"] = {"parameters": {"BF16": params}, "total": params}
    if n.library == "transformers":
        arch, mtype = vocab.DOMAINS[n.domain]["arch"]
        out["config"] = {"architectures": [arch], "model_type": mtype}
        out["transformersInfo"] = {
            "auto_model": "AutoModelForCausalLM" if n.domain == "llm" else "AutoModel",
            "pipeline_tag": n.pipeline,
            "processor": "AutoTokenizer",
        }
    if weight_file.endswith(".gguf"):
        out["gguf"] = {"total": params, "architecture": "llama", "context_length": 4096}
    return out
