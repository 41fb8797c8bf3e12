"""Commands of the notarization log: ``parksteward ledger ...``, ``parksteward witness ...``, ``parksteward verify``.

``verify`` needs no store and no server: a receipt and a trust file are enough.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

ledger_app = typer.Typer(help="The notarization log: status, checkpoints, receipts, audits, keys.",
                         no_args_is_help=True)
witness_app = typer.Typer(help="Run a witness that cosigns a log's checkpoints (c2sp.org/tlog-witness).",
                          no_args_is_help=True)


def _root():
    from parksteward import cli

    return cli


def _ledger(db: str | None):
    from parksteward.config import Settings
    from parksteward.ledger.service import Ledger

    root = _root()
    engine, sessions = root._open(db)
    settings = Settings().model_copy(update={"database_url": root.database_url(db)})
    try:
        return Ledger(engine, settings), sessions
    except (ValueError, OSError) as exc:
        root._fail(str(exc))


@ledger_app.command("keygen")
def keygen(
    name: Annotated[str, typer.Argument(help="Key name: the log's origin, or the witness's name "
                                             "(e.g. regulator.example/witness).")],
    out: Annotated[Path, typer.Option("--out", help="Signer key file to write (mode 0600).")],
    cosigner: Annotated[bool, typer.Option("--cosigner", help="A witness key (timestamped cosignatures, "
                                                              "type 0x04).")] = False,
):
    """Make a signer key; prints its verifier key (for trust files)."""
    from parksteward.ledger import keys
    from parksteward.ledger import note as notes

    try:
        skey, vkey = notes.generate_key(name, notes.ED25519_COSIGNATURE if cosigner else notes.ED25519)
        keys.write_signer_key(out, skey)
    except (ValueError, OSError) as exc:
        _root()._fail(str(exc))
    print(vkey)  # whole, unwrapped: it goes into trust files


@ledger_app.command("status")
def status(db: Annotated[Optional[str], typer.Option("--db", help="Store URL or SQLite file.")] = None):
    """The log's size and root, its latest checkpoint and the witnesses' state."""
    from sqlalchemy import select

    from parksteward.ledger.tables import LedgerWitness

    ledger, sessions = _ledger(db)
    console = _root().console
    size, root = ledger.log.head()
    import base64

    console.print(f"log      {ledger.log.origin}\nkey      {ledger.signer.vkey()}\nsize     {size:,}\n"
                  f"root     {base64.b64encode(root).decode()}")
    latest = ledger.checkpointer.latest()
    if latest is None:
        console.print("checkpoint  none yet")
    else:
        console.print(f"checkpoint  size {latest.size:,}, {'final' if latest.final else 'not final'}, cosigned by "
                      f"{', '.join(latest.cosigners) or 'nobody'}")
    with sessions() as session:
        for w in session.scalars(select(LedgerWitness).order_by(LedgerWitness.name)):
            console.print(f"witness  {w.name} at {w.url}: cosigned size {w.size:,}"
                          + (f"; last error: {w.last_error}" if w.last_error else ""))


@ledger_app.command("checkpoint")
def checkpoint(db: Annotated[Optional[str], typer.Option("--db", help="Store URL or SQLite file.")] = None):
    """Sign a checkpoint of the log now and ask the witnesses to cosign it; prints the signed note."""
    ledger, _ = _ledger(db)
    stored = ledger.checkpointer.checkpoint()
    if stored is None:
        _root()._fail("the log is empty: nothing to checkpoint")
    _root().console.print(stored.note, end="", highlight=False, markup=False)
    _root().console.print(f"final: {stored.final}", highlight=False)


@ledger_app.command("receipt")
def receipt(
    index: Annotated[Optional[int], typer.Argument(help="Leaf index")] = None,
    frame: Annotated[Optional[int], typer.Option("--frame", help="An archived frame's id instead of a leaf.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="File to write (default: print).")] = None,
    db: Annotated[Optional[str], typer.Option("--db", help="Store URL or SQLite file.")] = None,
):
    """The receipt of one record (or frame): the record, its inclusion proof and a final checkpoint."""
    from parksteward.access.actor import SYSTEM

    if (index is None) == (frame is None):
        _root()._fail("give a leaf index or --frame ID")
    ledger, sessions = _ledger(db)
    with sessions() as session:
        made = _root()._run_service(lambda: ledger.receipt(session, SYSTEM, index) if frame is None
                                    else ledger.frame_receipt(session, SYSTEM, frame))
    text = json.dumps(made, ensure_ascii=False, indent=2)
    if out is None:
        print(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        _root().console.print(f"receipt of leaf {index}: {out}")


@ledger_app.command("audit")
def audit(db: Annotated[Optional[str], typer.Option("--db", help="Store URL or SQLite file.")] = None,
          as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False):
    """Re-derive every notarized record and report what was altered, deleted or inserted (exit 1 if any)."""
    from dataclasses import asdict

    from parksteward.ledger.audit import audit as run_audit

    ledger, _ = _ledger(db)
    report = run_audit(ledger.engine, ledger.settings)
    console = _root().console
    if as_json:
        print(json.dumps({"audit": report.id, "checked": report.checked, "clean": report.clean,
                          "findings": [asdict(f) for f in report.findings]}, ensure_ascii=False, indent=2))
    else:
        console.print(f"audit {report.id}: {report.checked:,} records checked, {len(report.findings)} finding(s)")
        for f in report.findings:
            console.print(f"[bold]{f.change}[/] {f.kind} {f.ref}: {f.detail}")
            if f.leaf_index is not None:
                console.print(f"    leaf {f.leaf_index}, submitted by {f.submitter}, logged {_when(f.logged_ms)}; "
                              + (f"in checkpoint {f.checkpoint_size} cosigned by {', '.join(f.cosigned) or 'nobody'}"
                                 if f.checkpoint_size else "in no checkpoint yet"))
            console.print(f"    changed after {_when(f.changed_after_ms) if f.changed_after_ms else 'the first entry'}"
                          f" and before {_when(f.changed_before_ms)}")
            if f.original is not None:
                original = json.dumps({k: v for k, v in f.original.items() if k != "frame"}, ensure_ascii=False)
                console.print(f"    original: {original}", highlight=False, markup=False)
    if not report.clean:
        raise typer.Exit(1)


def _when(ms: int | None) -> str:
    from datetime import datetime, timezone

    return "?" if ms is None else datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="seconds")


def verify(
    receipt_file: Annotated[Path, typer.Argument(help="A receipt (JSON).")],
    trust: Annotated[Path, typer.Option("--trust", help="Trust file: the log key, the required and optional "
                                                         "witness keys and how many are needed.")],
):
    """Check a receipt offline (no store, no server); says which step failed, exit 1 if any."""
    from parksteward.ledger import keys
    from parksteward.ledger import receipt as receipts

    root = _root()
    try:
        policy = keys.read_trust_file(trust)
    except ValueError as exc:
        root._fail(str(exc))
    try:
        data = json.loads(receipt_file.read_text(encoding="utf-8"))
    except OSError as exc:
        root._fail(f"cannot read {receipt_file}: {exc.strerror}")
    except json.JSONDecodeError as exc:
        root._fail(f"{receipt_file} is not JSON: {exc}")
    verdict = receipts.verify(data, policy)
    for step, passed, detail in verdict.steps:
        root.console.print(f"{'[green]ok[/]  ' if passed else '[bold red]FAIL[/]'} {step}: {detail}", highlight=False)
    for name, seconds in sorted(verdict.cosigned_at.items()):
        root.console.print(f"      cosigned by {name} at {_when(seconds * 1000)}", highlight=False)
    if not verdict.ok:
        raise typer.Exit(1)
    root.console.print("[bold green]receipt verified[/]")


@witness_app.command("serve")
def witness_serve(
    key: Annotated[Path, typer.Option("--key", help="The witness's signer key file (ledger keygen --cosigner).")],
    log_key: Annotated[list[str], typer.Option("--log-key", help="Verifier key of a log to witness (repeatable).")],
    state: Annotated[Path, typer.Option("--state", help="The witness's own SQLite state file.")] = Path("witness.db"),
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port.")] = 9310,
):
    """Serve POST /add-checkpoint: cosign checkpoints that extend the last one cosigned; keep forks as evidence."""
    import uvicorn

    from parksteward.ledger import keys
    from parksteward.ledger import note as notes
    from parksteward.ledger.witness import Witness, WitnessState, create_app

    root = _root()
    try:
        signer = notes.CosignatureSigner.from_skey(keys.read_signer_key(key).skey())
        logs = [notes.parse_vkey(v) for v in log_key]
    except (ValueError, OSError) as exc:
        root._fail(str(exc))
    witness = Witness(signer, logs, WitnessState(state))
    root.console.print(f"witness {signer.vkey()}\non http://{host}:{port}/add-checkpoint for "
                       f"{', '.join(v.name for v in logs)}")
    uvicorn.run(create_app(witness), host=host, port=port, log_level="info")
