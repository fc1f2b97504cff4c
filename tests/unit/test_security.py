"""Security without a crawl: git sends the HF token in a header, never in a URL, a command line or an error."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipelines.crawl.client import RequestCounter
from pipelines.crawl.gitremote import GitFailed, GitRemote
from pipelines.crawl.retry import RetryPolicy
from tests.helpers import SECRET


def test_git_sends_the_token_in_a_header_never_in_a_url_command_line_or_error(tmp_path):
    seen, cmdlines = [], []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers.get("Authorization")))
            for proc in Path("/proc").glob("[0-9]*/cmdline"):  # the git processes serving this request are alive now
                try:
                    cmdlines.append(proc.read_bytes())
                except OSError:
                    pass
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        counter = RequestCounter()
        remote = GitRemote(f"http://127.0.0.1:{server.server_address[1]}", SECRET, counter, retry=RetryPolicy(0))
        with pytest.raises(GitFailed) as failed:
            remote.clone("org/model", tmp_path / "clone")
    finally:
        server.shutdown()
        server.server_close()
    assert seen and all(auth == f"Bearer {SECRET}" for _, auth in seen)  # it is used ...
    assert all(SECRET not in path for path, _ in seen) and SECRET not in repr(remote)
    assert "not found" in str(failed.value) and SECRET not in str(failed.value) and not failed.value.transient
    assert cmdlines and not any(SECRET.encode() in c for c in cmdlines)
    assert counter.snapshot()["git"] == len(seen)
