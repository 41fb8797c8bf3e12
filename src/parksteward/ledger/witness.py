"""A witness (见证方): cosigns a log's checkpoints only when they extend what it cosigned before.

The regulator, an auditor or an enterprise association each runs one (``parksteward witness
serve``) with its own key and its own state. It implements c2sp.org/tlog-witness: the log posts
``old <size>``, a consistency proof from that size and the new signed checkpoint; the witness
checks that a trusted log key signed it, that ``old`` is the size it last cosigned for this
origin, and that the proof shows the new tree extends the old one, then records the new
checkpoint and answers with its timestamped cosignature (c2sp.org/tlog-cosignature). Checking
and recording are one transaction, so two racing requests cannot both move the state.

A log that shows the witness a tree that does not extend the one it cosigned (a *fork*: same
size and another root, or a consistency proof that fails) or a smaller tree (a *rollback*) has
signed evidence of its own misbehaviour: the witness refuses it and keeps both checkpoints.

Responses (ledger.md §6.4): 200 with the cosignature line; 400 malformed request or old size
larger than the new one; 403 not signed by a trusted log key (or a bad signature by one); 404
unknown origin; 409 old size is not the witness's (body: its size, ``text/x.tlog.size``); 422
the proof does not verify.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from parksteward.ledger import merkle
from parksteward.ledger import note as notes
from parksteward.ledger.checkpoint import Checkpoint, CheckpointError
from parksteward.ledger.checkpoint import parse as parse_checkpoint

MAX_PROOF_LINES = 63
MAX_REQUEST_BYTES = 64 * 1024
SIZE_CONTENT_TYPE = "text/x.tlog.size"


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Witnessed:
    """The latest checkpoint a witness cosigned for an origin."""

    origin: str
    size: int
    root: bytes
    note: str
    updated_ms: int


class WitnessState:
    """The witness's own store (SQLite): the latest cosigned checkpoint per origin, and evidence."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._local = threading.local()
        with self._connect() as db:
            db.executescript("""
                CREATE TABLE IF NOT EXISTS witnessed (
                    origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL,
                    updated_ms INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS evidence (
                    id INTEGER PRIMARY KEY, received_ms INTEGER NOT NULL, origin TEXT NOT NULL, kind TEXT NOT NULL,
                    detail TEXT NOT NULL, witnessed_note TEXT, received_note TEXT NOT NULL, old_size INTEGER,
                    proof TEXT NOT NULL);
            """)

    def _connect(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            self._local.db = db
        return db

    def latest(self, origin: str, db: sqlite3.Connection | None = None) -> Witnessed | None:
        row = (db or self._connect()).execute(
            "SELECT origin, size, root, note, updated_ms FROM witnessed WHERE origin = ?", (origin,)).fetchone()
        return None if row is None else Witnessed(row[0], row[1], bytes(row[2]), row[3], row[4])

    def evidence(self, origin: str | None = None) -> list[dict]:
        sql = ("SELECT id, received_ms, origin, kind, detail, witnessed_note, received_note, old_size, proof "
               "FROM evidence" + (" WHERE origin = ?" if origin else "") + " ORDER BY id")
        rows = self._connect().execute(sql, (origin,) if origin else ()).fetchall()
        names = ("id", "received_ms", "origin", "kind", "detail", "witnessed_note", "received_note", "old_size",
                 "proof")
        return [dict(zip(names, row)) for row in rows]


class Witness:
    """The add-checkpoint logic of one witness, independent of HTTP.

    Parameters
    ----------
    signer : note.CosignatureSigner
        The witness's own key (type 0x04, timestamped cosignatures).
    logs : iterable of note.Verifier
        The logs it witnesses; each log's origin is its key's name (c2sp.org/tlog-checkpoint).
    state : WitnessState
    """

    def __init__(self, signer: notes.CosignatureSigner, logs, state: WitnessState, clock=time.time):
        self.signer = signer
        self.logs = {v.name: v for v in logs}
        self.state = state
        self.clock = clock

    def add_checkpoint(self, request: bytes | str) -> Response:
        try:
            old, proof, signed = parse_request(request)
        except ValueError as exc:
            return Response(400, f"malformed add-checkpoint request: {exc}\n")
        try:
            text, _ = notes.parse_note(signed)
        except notes.NoteError as exc:
            return Response(400, f"malformed checkpoint note: {exc}\n")
        origin = text.split("\n", 1)[0]
        log_key = self.logs.get(origin)
        if log_key is None:
            return Response(404, f"unknown log origin {origin!r}\n")
        try:
            opened = notes.open_note(signed, [log_key])
        except notes.NoteError as exc:
            return Response(403, f"checkpoint not signed by the log key {log_key.vkey()}: {exc}\n")
        try:
            checkpoint = parse_checkpoint(opened.text, origin=origin)
        except CheckpointError as exc:
            return Response(400, f"malformed checkpoint: {exc}\n")
        if old > checkpoint.size:
            self._keep_if_rollback(origin, checkpoint, signed, old, proof)
            return Response(400, f"old size {old} is larger than the checkpoint's size {checkpoint.size}\n")
        return self._advance(origin, checkpoint, opened, signed, old, proof)

    def _advance(self, origin: str, checkpoint: Checkpoint, opened: notes.Note, signed: str, old: int,
                 proof: list[bytes]) -> Response:
        db = self.state._connect()
        db.execute("BEGIN IMMEDIATE")  # the size check and the update are one step
        try:
            seen = self.state.latest(origin, db)
            seen_size = seen.size if seen else 0
            if checkpoint.size < seen_size:
                self._evidence(db, origin, "rollback", f"log signed a tree of size {checkpoint.size} while this "
                               f"witness cosigned size {seen_size}", seen, signed, old, proof)
            if old != seen_size:
                db.execute("COMMIT")
                return Response(409, f"{seen_size}\n", SIZE_CONTENT_TYPE)
            if old == 0:
                if proof:
                    db.execute("COMMIT")
                    return Response(422, "a consistency proof from size 0 must be empty\n")
            elif old == checkpoint.size:
                if proof or checkpoint.root_hash != seen.root:
                    self._evidence(db, origin, "fork", f"same size {old} with another root", seen, signed, old, proof)
                    db.execute("COMMIT")
                    return Response(422, f"checkpoint of size {old} does not match the one this witness cosigned\n")
            elif not merkle.verify_consistency(old, checkpoint.size, proof, seen.root, checkpoint.root_hash):
                self._evidence(db, origin, "fork", f"consistency proof from size {old} to {checkpoint.size} does "
                               "not verify against the cosigned root", seen, signed, old, proof)
                db.execute("COMMIT")
                return Response(422, f"consistency proof from size {old} to {checkpoint.size} does not verify\n")
            cosigned = notes.sign(opened, self.signer)
            db.execute("INSERT INTO witnessed (origin, size, root, note, updated_ms) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, "
                       "note = excluded.note, updated_ms = excluded.updated_ms",
                       (origin, checkpoint.size, checkpoint.root_hash, cosigned, int(self.clock() * 1000)))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        line = cosigned.rsplit("\n\n", 1)[1].splitlines()
        mine = [entry + "\n" for entry in line if entry.startswith(f"{notes.SIGNATURE_PREFIX}{self.signer.name} ")]
        return Response(200, "".join(mine))

    def _keep_if_rollback(self, origin, checkpoint, signed, old, proof) -> None:
        seen = self.state.latest(origin)
        if seen is not None and checkpoint.size < seen.size:
            db = self.state._connect()
            self._evidence(db, origin, "rollback", f"log signed a tree of size {checkpoint.size} while this witness "
                           f"cosigned size {seen.size}", seen, signed, old, proof)

    def _evidence(self, db, origin, kind, detail, seen: Witnessed | None, signed, old, proof) -> None:
        db.execute("INSERT INTO evidence (received_ms, origin, kind, detail, witnessed_note, received_note, old_size, "
                   "proof) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (int(self.clock() * 1000), origin, kind, detail, seen.note if seen else None, signed, old,
                    "\n".join(base64.b64encode(p).decode() for p in proof)))


def parse_request(request: bytes | str) -> tuple[int, list[bytes], str]:
    """``old <size>``, the proof lines and the signed checkpoint of an add-checkpoint body."""
    raw = request.encode("utf-8") if isinstance(request, str) else bytes(request)
    if len(raw) > MAX_REQUEST_BYTES:
        raise ValueError(f"request is {len(raw)} bytes; the limit is {MAX_REQUEST_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("request is not UTF-8") from None
    head, sep, signed = text.partition("\n\n")
    if not sep:
        raise ValueError("no blank line before the checkpoint")
    lines = head.split("\n")
    first = lines[0]
    if not first.startswith("old ") or not first[4:].isdigit() or (len(first) > 5 and first[4] == "0"):
        raise ValueError(f"first line must be 'old <size>' (found {first[:40]!r})")
    proof_lines = lines[1:]
    if len(proof_lines) > MAX_PROOF_LINES:
        raise ValueError(f"{len(proof_lines)} proof lines; at most {MAX_PROOF_LINES}")
    proof = []
    for i, line in enumerate(proof_lines, start=2):
        try:
            value = base64.b64decode(line, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"line {i} is not base64") from None
        if len(value) != 32:
            raise ValueError(f"line {i}: a proof hash is 32 bytes, found {len(value)}")
        proof.append(value)
    return int(first[4:]), proof, signed


def request_body(old_size: int, proof: list[bytes], signed_checkpoint: str) -> str:
    """The add-checkpoint body a log sends (c2sp.org/tlog-witness)."""
    lines = [f"old {old_size}"] + [base64.b64encode(p).decode("ascii") for p in proof]
    return "\n".join(lines) + "\n\n" + signed_checkpoint


def create_app(witness: Witness):
    """The witness's HTTP API: ``POST /add-checkpoint``, and read-only views of its state."""
    app = FastAPI(title="ParkSteward witness", description="A c2sp.org/tlog-witness witness.")

    @app.post("/add-checkpoint", response_class=PlainTextResponse)
    async def add_checkpoint(request: Request):
        body = await request.body()
        answer = witness.add_checkpoint(body)
        return PlainTextResponse(answer.body, status_code=answer.status, media_type=answer.content_type)

    @app.get("/checkpoint/{origin:path}", response_class=PlainTextResponse,
             summary="The latest checkpoint this witness cosigned for a log")
    def latest(origin: str):
        seen = witness.state.latest(origin)
        if seen is None:
            return PlainTextResponse(f"no checkpoint of {origin!r} cosigned\n", status_code=404)
        return PlainTextResponse(seen.note)

    @app.get("/evidence", summary="Checkpoints refused as forks or rollbacks, with what was cosigned before")
    def evidence(origin: str | None = None):
        return witness.state.evidence(origin)

    @app.get("/", response_class=PlainTextResponse, include_in_schema=False)
    def about():
        return PlainTextResponse(f"witness {witness.signer.vkey()}\nlogs: {', '.join(witness.logs)}\n")

    return app
