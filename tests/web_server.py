"""The real web server (uvicorn in a subprocess on a free loopback port), for the browser and crash tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

PROJECT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, inputs: Path, outputs: Path, log: Path, *extra: str):
        self.inputs, self.outputs, self.log, self.extra = inputs, outputs, log, extra
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def set_password(self, password: str) -> None:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pipeline",
                "set-password",
                "--inputs",
                str(self.inputs),
                "--outputs",
                str(self.outputs),
            ],
            input=password + "\n",
            text=True,
            capture_output=True,
            cwd=PROJECT,
        )
        assert done.returncode == 0, done.stderr

    def start(self) -> Server:
        handle = open(self.log, "ab")  # noqa: SIM115 (the server writes to it while it runs)
        # A session of its own: kill -9 of the group takes the server and every LibreOffice it started.
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pipeline",
                "serve",
                "--inputs",
                str(self.inputs),
                "--outputs",
                str(self.outputs),
                "--port",
                str(self.port),
                *self.extra,
            ],
            cwd=PROJECT,
            stdout=handle,
            stderr=handle,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {self.log.read_text(errors='replace')}")
            try:
                httpx.get(self.url + "/department/sign-in", timeout=2)
                return self
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start in 60 s")

    def kill(self) -> None:
        """kill -9 of the server alone (what a crash or the OOM killer does)."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        with contextlib.suppress(ProcessLookupError):  # whatever it started and left (its own session)
            os.killpg(self.process.pid, signal.SIGKILL)
