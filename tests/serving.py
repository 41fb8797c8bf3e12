"""Tests that start a ParkSteward process (``serve``, ``demo``, a witness) and talk to it over HTTP."""

from __future__ import annotations

import socket
import subprocess
import time

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answering(process: subprocess.Popen, url: str, within_s: float, what: str = "the server") -> None:
    """Poll ``url`` until it answers 200; fail with the process's output if it stops, or after ``within_s``."""
    deadline = time.monotonic() + within_s
    while True:
        assert process.poll() is None, process.stdout.read() if process.stdout else f"{what} stopped"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{what} did not answer within {within_s:g} s"
        time.sleep(0.3)
