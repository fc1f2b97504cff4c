"""`hubmine names` on 50,000 names: wall time of the command, as a user runs it.

python -m bench.names [--names 50000]
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

import duckdb

from bench.harness import HM, parser
from bench.machine import describe
from pipelines.replay.synth.generator import generate


def main() -> int:
    ap = parser(__doc__, bench_dir=False)
    ap.add_argument("--names", type=int, default=50_000)
    args = ap.parse_args()
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory(prefix="hubmine-names-") as tmp:
        hub = Path(tmp) / "hub"
        generate(hub, args.names, 1, checkpoint_models=0)
        ids = [r[0] for r in duckdb.sql(f"SELECT model_id FROM '{hub}/truth/models.parquet'").fetchall()]
        src = Path(tmp) / "names.txt"
        src.write_text("\n".join(ids) + "\n")
        t0 = time.perf_counter()
        out = subprocess.run([*HM, "names", str(src)], capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - t0
    rows = len(out.stdout.splitlines()) - 1
    print(f"hubmine names: {len(ids):,} names classified in {seconds:.2f}s ({rows:,} CSV rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
