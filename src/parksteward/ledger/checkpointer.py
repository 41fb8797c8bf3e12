"""Checkpoints of the park's log: signed every N entries or T seconds, then sent to the witnesses.

The log signs a checkpoint (origin, size, root; c2sp.org/tlog-checkpoint) with its Ed25519 key
and stores it. Each witness is sent the checkpoint with a consistency proof from the size it
last cosigned (c2sp.org/tlog-witness); its cosignature line is checked against the witness's
key and added to the stored note. A checkpoint is *final* once the trust policy is met (the
log, the regulator, and k more; :class:`~parksteward.ledger.checkpoint.Policy`). A witness that
is down or refuses is recorded and asked again with the next checkpoint: nothing is lost,
because a later checkpoint covers every earlier entry.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import httpx
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from parksteward.ledger import note as notes
from parksteward.ledger.checkpoint import Checkpoint, Policy, sign_checkpoint
from parksteward.ledger.store import LogStore
from parksteward.ledger.tables import LedgerCheckpoint, LedgerWitness
from parksteward.ledger.witness import SIZE_CONTENT_TYPE, request_body

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WitnessEndpoint:
    """A witness the log sends its checkpoints to: its name (= its key's name), URL and key."""

    url: str
    verifier: notes.Verifier

    @property
    def name(self) -> str:
        return self.verifier.name


class Checkpointer:
    """Signs checkpoints of ``log`` and gathers cosignatures; :meth:`run` does it on a schedule."""

    def __init__(self, engine: Engine, log_store: LogStore, signer: notes.Signer, policy: Policy,
                 witnesses: list[WitnessEndpoint] = (), *, every_entries: int = 1000, every_seconds: float = 10.0,
                 client: httpx.Client | None = None, timeout_s: float = 10.0):
        if signer.name != log_store.origin:
            raise ValueError(f"the log key is named {signer.name!r} but the log's origin is {log_store.origin!r}: "
                             "a checkpoint's origin is its log key's name")
        self.engine = engine
        self.log = log_store
        self.signer = signer
        self.policy = policy
        self.witnesses = list(witnesses)
        self.every_entries = every_entries
        self.every_seconds = every_seconds
        self.client = client or httpx.Client(timeout=timeout_s)
        self._lock = threading.Lock()
        self._last_retry = 0.0

    # ------------------------------------------------------------ checkpoints
    def latest(self, final_only: bool = False) -> LedgerCheckpoint | None:
        stmt = select(LedgerCheckpoint).order_by(LedgerCheckpoint.size.desc()).limit(1)
        if final_only:
            stmt = stmt.where(LedgerCheckpoint.final.is_(True))
        with Session(self.engine, expire_on_commit=False) as session:
            return session.scalars(stmt).first()

    def due(self, now: float | None = None) -> bool:
        """A new checkpoint is due: entries since the last one, and N of them or T seconds passed."""
        size, _ = self.log.head()
        last = self.latest()
        if last is None:
            return size > 0
        if size <= last.size:
            return False
        now = time.time() if now is None else now
        return size - last.size >= self.every_entries or now - last.created_ms / 1000 >= self.every_seconds

    def checkpoint(self) -> LedgerCheckpoint | None:
        """Sign the current head (if it grew) and ask every witness to cosign; returns the stored checkpoint."""
        with self._lock:
            size, root = self.log.head()
            last = self.latest()
            if size == 0 or (last is not None and last.size >= size):
                return last
            signed = sign_checkpoint(Checkpoint(self.log.origin, size, root), self.signer)
            with self.engine.begin() as conn:
                conn.execute(LedgerCheckpoint.__table__.insert().values(
                    size=size, root=root, note=signed, created_ms=int(time.time() * 1000), final=False, cosigners=[]))
            self.cosign(size)
            return self.get(size)

    def get(self, size: int) -> LedgerCheckpoint | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(LedgerCheckpoint, size)

    def cosign(self, size: int) -> LedgerCheckpoint:
        """Send the checkpoint of ``size`` to the witnesses that have not cosigned it; store what they return."""
        stored = self.get(size)
        if stored is None:
            raise LookupError(f"no checkpoint of size {size}")
        signed = stored.note
        for witness in self.witnesses:
            if witness.name in stored.cosigners:
                continue
            lines = self._ask(witness, size, signed)
            if lines:
                signed = _with_lines(signed, lines)
        checkpoint, signatures = self.policy.open(signed)
        result = self.policy.check(signatures)
        cosigners = sorted({sig.name for sig in signatures.cosignatures})
        with self.engine.begin() as conn:
            conn.execute(update(LedgerCheckpoint).where(LedgerCheckpoint.size == size)
                         .values(note=signed, final=bool(result), cosigners=cosigners))
        if not result:
            log.info("checkpoint %d is not final yet: %s", size, result.message)
        return self.get(size)

    def _ask(self, witness: WitnessEndpoint, size: int, signed: str) -> str | None:
        """The witness's verified cosignature line(s) for the checkpoint, or None (the reason is recorded)."""
        old = self._witness_size(witness)
        for _ in range(2):  # a 409 tells the witness's size: one more try from there
            if old > size:
                self._record(witness, old, f"witness has cosigned size {old}, larger than this checkpoint ({size})")
                return None
            proof = self.log.consistency_proof(old, size) if 0 < old < size else []
            try:
                answer = self.client.post(witness.url.rstrip("/") + "/add-checkpoint",
                                          content=request_body(old, proof, signed).encode("utf-8"))
            except httpx.HTTPError as exc:
                self._record(witness, old, f"cannot reach {witness.url}: {exc}")
                return None
            if answer.status_code == 409 and answer.headers.get("content-type", "").startswith(SIZE_CONTENT_TYPE):
                try:
                    old = int(answer.text.strip())
                except ValueError:
                    self._record(witness, old, f"409 with a size that is not a number: {answer.text[:80]!r}")
                    return None
                continue
            if answer.status_code != 200:
                self._record(witness, old, f"HTTP {answer.status_code}: {answer.text.strip()[:300]}")
                return None
            lines = answer.text
            try:  # a line that does not verify with the witness's key is not kept
                opened = notes.open_note(_with_lines(signed, lines), [witness.verifier])
            except notes.NoteError as exc:
                self._record(witness, old, f"its answer does not verify with its key: {exc}")
                return None
            sig = opened.signed_by(witness.verifier.name, witness.verifier.key_id)
            self._record(witness, size, None)
            return sig.line()
        self._record(witness, old, "the witness's size kept changing (409 twice)")
        return None

    def _witness_size(self, witness: WitnessEndpoint) -> int:
        with self.engine.connect() as conn:
            size = conn.execute(select(LedgerWitness.size).where(LedgerWitness.name == witness.name)).scalar()
        return int(size or 0)

    def _record(self, witness: WitnessEndpoint, size: int, error: str | None) -> None:
        if error:
            log.warning("witness %s: %s", witness.name, error)
        now = int(time.time() * 1000)
        with self.engine.begin() as conn:
            moved = conn.execute(update(LedgerWitness).where(LedgerWitness.name == witness.name)
                                 .values(url=witness.url, size=size, last_error=error, updated_ms=now))
            if moved.rowcount == 0:
                conn.execute(LedgerWitness.__table__.insert().values(name=witness.name, url=witness.url, size=size,
                                                                     last_error=error, updated_ms=now))

    # ------------------------------------------------------------ schedule
    def run(self, stop: threading.Event, poll_s: float = 1.0) -> None:
        """Checkpoint whenever one is due, until ``stop`` is set (the server's ledger thread)."""
        while not stop.wait(poll_s):
            try:
                if self.due():
                    self.checkpoint()
                else:
                    self._retry_unfinished()
            except Exception:  # a witness or the store failing must not end the schedule
                log.exception("checkpointing failed; trying again")

    def _retry_unfinished(self) -> None:
        """Ask the witnesses again for the latest checkpoint if it is not final, at most every T seconds."""
        now = time.time()
        if now - self._last_retry < self.every_seconds:
            return
        last = self.latest()
        if last is not None and not last.final and self.witnesses:
            self._last_retry = now
            self.cosign(last.size)


def _with_lines(signed: str, lines: str) -> str:
    """A signed note with more signature lines appended (each ends in a newline)."""
    return signed + "".join(line + "\n" for line in lines.splitlines() if line)
