"""`lexgraph serve` as a real process on 127.0.0.1, for the tests that talk to it over sockets."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Service:
    """One ``lexgraph serve`` process; ``url`` once its /healthz answers (it warms the current snapshot first)."""

    def __init__(self, store: Path, log: Path, poll: float = 0.2) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(log, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "serve", "--store", str(store), "--port", str(self.port),
             "--poll", str(poll)], cwd=REPO, stdout=self._log, stderr=subprocess.STDOUT)
        self._log_path = log

    def wait_ready(self, timeout: float = 180.0) -> Service:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}: {self.log()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"serve not ready after {timeout} s: {self.log()}")

    def log(self) -> str:
        return self._log_path.read_text(encoding="utf-8", errors="replace")[-3000:]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
            self.process.wait(timeout=30)
        self._log.close()
