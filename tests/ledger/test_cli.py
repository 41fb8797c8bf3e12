"""The commands end to end: keys, a witness in its own process, a checkpoint cosigned over HTTP,
a receipt written and verified offline with a trust file; a tampered receipt names its step."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from parksteward.access.actor import SYSTEM
from parksteward.cli import app
from parksteward.config import Settings
from parksteward.documents import service as documents
from parksteward.ledger.store import LogStore
from tests.factories import build_world
from tests.serving import free_port, wait_until_answering

ORIGIN = "envlog.cli-test.example/park"


def test_keys_witness_checkpoint_receipt_verify(tmp_path, database_url, session_factory, monkeypatch):
    runner = CliRunner()
    made = runner.invoke(app, ["ledger", "keygen", ORIGIN, "--out", str(tmp_path / "log.key")])
    assert made.exit_code == 0, made.output
    log_vkey = made.output.strip()
    made = runner.invoke(app, ["ledger", "keygen", "regulator.example/witness", "--cosigner",
                               "--out", str(tmp_path / "regulator.key")])
    assert made.exit_code == 0, made.output
    regulator_vkey = made.output.strip()
    assert oct(os.stat(tmp_path / "regulator.key").st_mode & 0o777) == "0o600"
    trust = tmp_path / "trust.txt"
    trust.write_text(f"log {log_vkey}\nrequired {regulator_vkey}\n", encoding="utf-8")

    port = free_port()
    witness = subprocess.Popen([sys.executable, "-m", "parksteward.cli", "witness", "serve", "--key",
                                str(tmp_path / "regulator.key"), "--log-key", log_vkey, "--state",
                                str(tmp_path / "regulator.db"), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_answering(witness, f"http://127.0.0.1:{port}/", 60, "the witness")
        for name, value in (("LEDGER_ORIGIN", ORIGIN), ("LEDGER_KEY_FILE", str(tmp_path / "log.key")),
                            ("LEDGER_TRUST_FILE", str(trust)), ("DATA_DIR", str(tmp_path / "data")),
                            ("LEDGER_WITNESSES", f"regulator.example/witness=http://127.0.0.1:{port}")):
            monkeypatch.setenv(f"PARKSTEWARD_{name}", value)
        settings = Settings()
        with session_factory() as session:
            build_world(session)
            session.commit()
            log = LogStore(session.get_bind(), ORIGIN)
            document = documents.upload(session, SYSTEM, log, tmp_path / "docs", io.BytesIO(b"report text"),
                                        filename="r.pdf", kind="acceptance_report", title="验收报告")
        assert settings.ledger_origin == ORIGIN
        signed = runner.invoke(app, ["ledger", "checkpoint", "--db", database_url])
        assert signed.exit_code == 0, signed.output
        assert "final: True" in signed.output and "— regulator.example/witness " in signed.output
        status = runner.invoke(app, ["ledger", "status", "--db", database_url])
        assert "cosigned size 1" in status.output and "final" in status.output
        monkeypatch.setenv("PARKSTEWARD_DOCUMENT_DIR", str(tmp_path / "docs"))
        written = runner.invoke(app, ["ledger", "receipt", str(document.ledger_index), "--out",
                                      str(tmp_path / "receipt.json"), "--db", database_url])
        assert written.exit_code == 0, written.output
    finally:
        witness.terminate()
        witness.communicate(timeout=30)

    # offline: no store, no server
    checked = runner.invoke(app, ["verify", str(tmp_path / "receipt.json"), "--trust", str(trust)])
    assert checked.exit_code == 0, checked.output
    assert "receipt verified" in checked.output and "cosigned by regulator.example/witness" in checked.output
    receipt = json.loads((tmp_path / "receipt.json").read_text(encoding="utf-8"))
    receipt["record"]["content"]["title"] = "改过的标题"
    (tmp_path / "bad.json").write_text(json.dumps(receipt, ensure_ascii=False), encoding="utf-8")
    checked = runner.invoke(app, ["verify", str(tmp_path / "bad.json"), "--trust", str(trust)])
    assert checked.exit_code == 1 and "FAIL record" in checked.output and "the record was changed" in checked.output
    stranger = runner.invoke(app, ["ledger", "keygen", "someone.example/witness", "--cosigner",
                                   "--out", str(tmp_path / "other.key")]).output.strip()
    strict = tmp_path / "strict.txt"
    strict.write_text(f"log {log_vkey}\nrequired {regulator_vkey}\nrequired {stranger}\n", encoding="utf-8")
    checked = runner.invoke(app, ["verify", str(tmp_path / "receipt.json"), "--trust", str(strict)])
    assert checked.exit_code == 1 and "FAIL trust policy" in checked.output
    assert "someone.example/witness" in checked.output
