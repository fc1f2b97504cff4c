"""`hubmine hub serve` in a child process: the replay hub `hubmine demo` crawls, and the benches'."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path


class ReplayProcess:
    """`hubmine hub serve` in a child process (its own core and GIL), stopped on exit; its stderr goes to a
    temporary file (a pipe nobody reads would stall a talkative hub) and is shown if it fails to start."""

    def __init__(self, snapshots: list[Path], workdir: Path, port: int = 0, extra: list[str] | None = None):
        cmd = [sys.executable, "-m", "pipelines.cli", "hub", "serve", "--port", str(port), "--workdir", str(workdir)]
        for s in snapshots:
            cmd += ["--snapshot", str(s)]
        self.log = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(cmd + (extra or []), stdout=subprocess.PIPE, stderr=self.log, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if " at http://" not in line:
            self.proc.kill()
            self.proc.wait()
            self.log.seek(0)
            raise RuntimeError(f"replay hub did not start: {line.strip()} {self.log.read()[-2000:]}")
        self.banner = line.strip()
        self.url = line.rsplit(" at ", 1)[1].strip()

    def __enter__(self) -> ReplayProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
