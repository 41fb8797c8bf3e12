"""`parksteward demo` builds the demo park and serves it: checked over real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

from tests.serving import free_port, wait_until_answering


def test_demo_command_serves_the_demo_park(tmp_path):
    port, gateway_port = free_port(), free_port()
    env = {**os.environ, "PARKSTEWARD_SECRET_KEY": "a-secret-for-this-test-only-32-bytes!"}
    process = subprocess.Popen(
        [sys.executable, "-m", "parksteward.cli", "demo", "--data-dir", str(tmp_path), "--port", str(port),
         "--gateway-port", str(gateway_port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(process, f"{base}/api/v1/health", 120, "the demo")
        landing = httpx.get(base + "/")
        assert landing.status_code == 200 and "82" in landing.text and "入驻企业" in landing.text
        from parksteward.sim.demo_park import DEMO_USERS

        username, (password, _role) = next(iter(DEMO_USERS.items()))
        token = httpx.post(f"{base}/api/v1/auth/token", data={"username": username, "password": password})
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        assert httpx.get(f"{base}/api/v1/enterprises?limit=1", headers=headers).json()["count"] == 82
        assert (tmp_path / "demo.db").exists()
        # The HJ 212 gateway listens beside the API.
        with socket.create_connection(("127.0.0.1", gateway_port), timeout=5):
            pass
        # The simulated devices' frames are notarized, and the demo's regulator and auditor
        # witnesses (served under /witnesses/) cosign the checkpoints over HTTP.
        deadline = time.monotonic() + 60
        while True:
            head = httpx.get(f"{base}/api/v1/ledger", headers=headers).json()
            if head["checkpoint"] and head["checkpoint"]["final"]:
                break
            assert time.monotonic() < deadline, f"no final checkpoint within 60 s: {head}"
            time.sleep(1)
        assert head["size"] > 0 and sorted(head["checkpoint"]["cosigners"]) == [
            "auditor.demo.parksteward.local/witness", "regulator.demo.parksteward.local/witness"]
        assert (tmp_path / "witnesses" / "trust.txt").exists() and (tmp_path / "ledger" / "log.key").exists()
        # The stories raise their warnings: the filling tank (with its plan's advice) and the flat pH.
        deadline = time.monotonic() + 150
        while True:
            open_alarms = httpx.get(f"{base}/api/v1/alarms?open=true&limit=1000", headers=headers).json()["data"]
            tank = [a for a in open_alarms if a["kind"] == "threshold" and a["factor"] == "x01002"]
            flat = [a for a in open_alarms if a["kind"] == "flat_line" and a["factor"] == "w01001"]
            if tank and flat:
                break
            assert time.monotonic() < deadline, f"no tank and flat-line alarms within 150 s: {open_alarms}"
            time.sleep(2)
        assert tank[0]["level"] in ("yellow", "orange", "red") and tank[0]["advice"].startswith("Stop feeding T-")
        assert "恒定为 7.21" in flat[0]["message"] and "stuck at 7.21" in flat[0]["message_en"]
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "http://127.0.0.1" in output and username in output
