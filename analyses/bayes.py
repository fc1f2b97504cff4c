"""Bayesian networks of model change (Castaño et al.): one row per (model, lifecycle phase) with the phase's
commit-category mix, releases, popularity, collaboration and documentation quality; structure learned
with pgmpy by hill climbing on BIC and cross-checked with the PC algorithm; CPDs by maximum likelihood.
"""

from __future__ import annotations

import itertools
import json
import re
import warnings
from dataclasses import dataclass

import polars as pl

from pipelines.errors import QueryError

warnings.filterwarnings("ignore", category=FutureWarning, module=r"pgmpy(\.|$)")
CATEGORY_GROUPS = {
    "foundational": ("Model Structure", "Input Data", "Parameter Tuning"),
    "infrastructure": ("Training Infrastructure", "Validation Infrastructure"),
    "documentation": ("External Documentation", "Internal Documentation"),
    "sharing": ("Sharing",),
    "output_data": ("Output Data",),
}
POPULARITY = ((1000, "high"), (100, "mid"), (0, "low"))  # downloads at least -> bucket
MIN_OBSERVATIONS = 50  # (model, phase) rows needed to learn a network
CARD_LONG = 1500  # characters


def popularity_bucket(downloads: pl.Expr) -> pl.Expr:
    """The POPULARITY bucket of a downloads column (null counts as 0)."""
    (floor, name), *rest = POPULARITY
    downloads = downloads.fill_null(0)
    chain = pl.when(downloads >= floor).then(pl.lit(name))
    for floor, name in rest:
        chain = chain.when(downloads >= floor).then(pl.lit(name))  # type: ignore[assignment]  # Then -> ChainedThen
    return chain.otherwise(pl.lit(POPULARITY[-1][1]))


def phase_of(position: pl.Expr, commits: pl.Expr) -> pl.Expr:
    """early / middle / late: which third of a model's later commits `position` falls in."""
    third = position / pl.max_horizontal(commits, pl.lit(1))
    return (
        pl.when(third <= 1 / 3)
        .then(pl.lit("early"))
        .when(third <= 2 / 3)
        .then(pl.lit("middle"))
        .otherwise(pl.lit("late"))
    )


HUB_BOOKKEEPING = ("system",)  # the author of the commit the hub makes when a repo is created


def phase_dataset(categories: pl.DataFrame, commits: pl.DataFrame, activity: pl.DataFrame) -> pl.DataFrame:
    """One row per (model, phase that has commits); every column a discrete state (strings).

    The hub's own repo-creation commit and the first upload are left out: phases describe how a model
    evolves after it is shared, split into thirds of its later commits.
    """
    dev = (
        commits.filter(~pl.col("authors").list.eval(pl.element().is_in(HUB_BOOKKEEPING)).list.all())
        .sort("model_id", "position")
        .with_columns(pl.int_range(pl.len()).over("model_id").alias("k"))
    )
    later = dev.filter(pl.col("k") > 0)
    n = later.group_by("model_id").agg(pl.len().alias("n"))
    people = (
        dev.select("model_id", "authors")
        .explode("authors")
        .drop_nulls()
        .filter(~pl.col("authors").is_in(HUB_BOOKKEEPING))
        .group_by("model_id")
        .agg(pl.col("authors").n_unique().alias("people"))
    )
    tagged = {c for cs in activity["tag_commits"].to_list() if cs for c in cs}
    cat = (
        categories.join(later.select("model_id", "commit_id", "k"), on=["model_id", "commit_id"])
        .join(n, on="model_id")
        .with_columns(
            phase_of(pl.col("k"), pl.col("n")).alias("phase"), pl.col("commit_id").is_in(list(tagged)).alias("released")
        )
    )
    groups = [pl.col("category").is_in(list(cats)).any().alias(name) for name, cats in CATEGORY_GROUPS.items()]
    per_phase = cat.group_by("model_id", "phase").agg(*groups, pl.col("released").any().alias("release"))
    out = per_phase.join(people, on="model_id", how="left").join(
        activity.select("model_id", "downloads", "card_length"), on="model_id", how="left"
    )
    yes_no = lambda c: pl.when(pl.col(c)).then(pl.lit("yes")).otherwise(pl.lit("no")).alias(c)  # noqa: E731
    return out.select(
        "model_id",
        "phase",
        popularity_bucket(pl.col("downloads")).alias("popularity"),
        pl.when(pl.col("people").fill_null(1) > 1)
        .then(pl.lit("team"))
        .otherwise(pl.lit("solo"))
        .alias("collaboration"),
        pl.when(pl.col("card_length").fill_null(0) == 0)
        .then(pl.lit("none"))
        .when(pl.col("card_length") < CARD_LONG)
        .then(pl.lit("short"))
        .otherwise(pl.lit("long"))
        .alias("doc_quality"),
        yes_no("release"),
        *[yes_no(c) for c in CATEGORY_GROUPS],
    ).sort("model_id", "phase")


@dataclass
class LearnedNetwork:
    hill_climb: list[tuple[str, str]]
    pc: list[tuple[str, str]]
    cpds: pl.DataFrame


def learn(data: pl.DataFrame, pc_significance: float = 0.01) -> LearnedNetwork:
    from pgmpy.estimators import PC, HillClimbSearch
    from pgmpy.models import DiscreteBayesianNetwork

    df = data.drop("model_id").to_pandas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dag = HillClimbSearch(df).estimate(scoring_method="bic-d", show_progress=False)
        hc_edges = sorted(dag.edges())
        pdag = PC(df).estimate(return_type="pdag", significance_level=pc_significance, show_progress=False, n_jobs=1)
        pc_edges = sorted({tuple(sorted(e)) for e in pdag.edges()})
        bn = DiscreteBayesianNetwork(hc_edges)
        bn.add_nodes_from(df.columns)
        bn.fit(df)
    return LearnedNetwork(hc_edges, pc_edges, cpd_table(bn))


def cpd_table(bn) -> pl.DataFrame:
    """Every CPD as rows: variable, value, parent assignment (JSON) and probability."""
    rows = []
    for cpd in bn.get_cpds() if bn is not None else []:
        var = cpd.variable
        parents = list(cpd.variables[1:])
        states = cpd.state_names
        values = cpd.get_values()  # (card(var), prod card(parents)), first parent varies slowest
        for j, combo in enumerate(itertools.product(*[states[p] for p in parents])):
            assignment = json.dumps(dict(zip(parents, combo, strict=True)), sort_keys=True)
            for i, value in enumerate(states[var]):
                rows.append((var, str(value), assignment, float(values[i, j])))
    return pl.DataFrame(
        rows,
        schema={"variable": pl.String, "value": pl.String, "parents": pl.String, "probability": pl.Float64},
        orient="row",
    )


def edge_table(net: LearnedNetwork) -> pl.DataFrame:
    pc = set(net.pc)
    rows = [("hill_climb_bic", a, b, tuple(sorted((a, b))) in pc) for a, b in net.hill_climb]
    hc = {tuple(sorted(e)) for e in net.hill_climb}
    rows += [("pc", a, b, (a, b) in hc) for a, b in net.pc]
    return pl.DataFrame(
        rows,
        schema={"method": pl.String, "source": pl.String, "target": pl.String, "confirmed": pl.Boolean},
        orient="row",
    )


# -- inference from stored CPDs ------------------------------------------------------------------------
QUERY = re.compile(
    r"^\s*P\s*\(\s*(?P<target>[\w-]+)\s*(?:=\s*(?P<value>[\w-]+))?"
    r"\s*(?:\|\s*(?P<evidence>[^)]*))?\)\s*$",
    re.I,
)


def parse_query(text: str) -> tuple[str, str | None, dict[str, str]]:
    """`P(documentation=yes | popularity=high, collaboration=team)` -> (target, value, evidence)."""
    m = QUERY.match(text)
    if not m:
        raise QueryError(f"cannot read {text!r}: write it as P(variable[=value] | var=value, ...)", query=text)
    evidence = {}
    for part in filter(None, (p.strip() for p in (m.group("evidence") or "").split(","))):
        if "=" not in part:
            raise QueryError(f"evidence {part!r} needs a value, e.g. popularity=high", query=text)
        k, v = (s.strip() for s in part.split("=", 1))
        evidence[k] = v
    return m.group("target"), m.group("value"), evidence


def network_from_cpds(cpds: pl.DataFrame):
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    bn = DiscreteBayesianNetwork()
    tab = []
    for (var,), rows in cpds.group_by(["variable"], maintain_order=True):
        assignments = [json.loads(a) for a in rows["parents"].unique(maintain_order=True).to_list()]
        parents = list(assignments[0]) if assignments and assignments[0] else []
        states = rows["value"].unique(maintain_order=True).to_list()
        pstates = {p: list(dict.fromkeys(a[p] for a in assignments)) for p in parents}
        lookup = {(r[0], r[1]): r[2] for r in rows.select("value", "parents", "probability").iter_rows()}
        combos = list(itertools.product(*[pstates[p] for p in parents]))
        values = [
            [lookup[(s, json.dumps(dict(zip(parents, c, strict=True)), sort_keys=True))] for c in combos]
            for s in states
        ]
        tab.append(
            TabularCPD(
                var,
                len(states),
                values,
                evidence=parents or None,
                evidence_card=[len(pstates[p]) for p in parents] or None,
                state_names={var: states, **pstates},
            )
        )
    bn.add_nodes_from([c.variable for c in tab])
    for c in tab:
        for p in c.variables[1:]:
            bn.add_edge(p, c.variable)
    bn.add_cpds(*tab)
    return bn


def query(cpds: pl.DataFrame, text: str) -> dict[str, float]:
    """Posterior of the target (or one value of it) given the evidence, from the stored CPDs."""
    from pgmpy.inference import VariableElimination

    target, value, evidence = parse_query(text)
    bn = network_from_cpds(cpds)
    known = {c.variable: c.state_names[c.variable] for c in bn.get_cpds()}
    for var, val in [(target, value), *evidence.items()]:
        if var not in known:
            raise QueryError(f"unknown variable {var!r}; variables: {', '.join(sorted(known))}", query=text)
        if val is not None and val not in known[var]:
            raise QueryError(f"{var} has no state {val!r}; states: {', '.join(map(str, known[var]))}", query=text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        post = VariableElimination(bn).query([target], evidence=evidence or None, show_progress=False)
    dist = {str(s): float(p) for s, p in zip(post.state_names[target], post.values, strict=True)}
    return {value: dist[value]} if value else dist
