"""Real `liaison serve` processes on loopback for tests that cross HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

LIAISON = str(Path(sys.executable).with_name("liaison"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`liaison serve` over `db_url` on a free port; start(), stop(), kill() (SIGKILL)."""

    def __init__(self, db_url: str, workdir: Path, port: int | None = None, **env: str):
        self.db_url = db_url
        self.workdir = workdir
        self.port = port or free_port()
        self.env = {**os.environ, "LIAISON_DATABASE_URL": db_url, **env}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self.process = subprocess.Popen(
            [LIAISON, "serve", "--port", str(self.port)],
            env=self.env,
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.url}/api/v1/openapi.json", timeout=1)
                return self
            except httpx.TransportError:
                assert time.monotonic() < deadline and self.process.poll() is None, "server did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
