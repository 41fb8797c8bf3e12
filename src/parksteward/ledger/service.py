"""The park's notarization log as the platform runs it: store, key, policy, witnesses, receipts.

:class:`Ledger` wires the pieces from the settings:

- the log (:class:`~parksteward.ledger.store.LogStore`) named ``ledger_origin``;
- the log's signing key, ``ledger_key_file`` (made on first use when the file does not exist,
  named after the origin, file mode 0600);
- the trust policy, ``ledger_trust_file`` (the log's key, the required cosigners such as the
  regulator, the optional ones and how many of them are needed); without one, a checkpoint is
  final with the log's signature alone, which suits a demo, not a regulator;
- the witnesses' URLs, ``ledger_witnesses`` (``name=url`` pairs; each name must have a key in
  the trust file);
- the checkpointer (every ``ledger_checkpoint_entries`` entries or ``ledger_checkpoint_seconds``).
"""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from parksteward.access.actor import Actor
from parksteward.access.scope import scoped
from parksteward.config import Settings
from parksteward.errors import Conflict, InvalidInput, NotFound
from parksteward.ledger import keys, receipt
from parksteward.ledger import note as notes
from parksteward.ledger.checkpoint import Policy
from parksteward.ledger.checkpointer import Checkpointer, WitnessEndpoint
from parksteward.ledger.derivers import load_all
from parksteward.ledger.records import commitment
from parksteward.ledger.store import LogStore
from parksteward.ledger.tables import LedgerCheckpoint, LedgerLeaf


class Ledger:
    """The log of one platform instance (see module doc)."""

    def __init__(self, engine: Engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self.log = LogStore(engine, settings.ledger_origin)
        self._signer: notes.Signer | None = None
        self._checkpointer: Checkpointer | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ keys and policy
    @property
    def signer(self) -> notes.Signer:
        with self._lock:
            if self._signer is None:
                self._signer = load_or_create_log_key(self.key_file, self.settings.ledger_origin)
            return self._signer

    @property
    def key_file(self) -> Path:
        return self.settings.ledger_key_file or self.settings.data_dir / "ledger" / "log.key"

    @property
    def policy(self) -> Policy:
        if self.settings.ledger_trust_file is not None:
            policy = keys.read_trust_file(self.settings.ledger_trust_file)
            if policy.log.vkey() != self.signer.vkey():
                raise ValueError(f"the trust file {self.settings.ledger_trust_file} names log key {policy.log.vkey()},"
                                 f" but the log signs with {self.signer.vkey()}")
            return policy
        return Policy(log=self.signer.verifier())

    def witnesses(self, policy: Policy) -> list[WitnessEndpoint]:
        by_name = {v.name: v for v in policy.cosigners()}
        out = []
        for entry in filter(None, (e.strip() for e in (self.settings.ledger_witnesses or "").split(","))):
            name, sep, url = entry.partition("=")
            if not sep or name not in by_name:
                raise ValueError(f"ledger_witnesses entry {entry!r}: expected name=url with a name the trust file "
                                 f"lists ({', '.join(by_name) or 'none'})")
            out.append(WitnessEndpoint(url, by_name[name]))
        return out

    @property
    def checkpointer(self) -> Checkpointer:
        if self._checkpointer is None:
            policy = self.policy
            self._checkpointer = Checkpointer(
                self.engine, self.log, self.signer, policy, self.witnesses(policy),
                every_entries=self.settings.ledger_checkpoint_entries,
                every_seconds=self.settings.ledger_checkpoint_seconds)
        return self._checkpointer

    # ------------------------------------------------------------ receipts
    def receipt(self, session: Session, actor: Actor, index: int, *, with_record: bool = True) -> dict:
        """The receipt of leaf ``index`` against the newest final checkpoint that covers it."""
        leaf = session.scalars(scoped(select(LedgerLeaf).where(LedgerLeaf.idx == index), LedgerLeaf, actor)).first()
        if leaf is None:
            raise NotFound(f"leaf {index} not found")
        content = salt = None
        if with_record:
            deriver = load_all().get(leaf.kind)
            derived = deriver.derive(session, [leaf], self.settings).get(leaf.ref) if deriver else None
            if derived is None or commitment(leaf.salt, derived.content) != leaf.commitment or derived.problem:
                raise Conflict("record", f"the stored {leaf.kind} {leaf.ref} no longer matches leaf {index}: run "
                                         "`parksteward ledger audit`")
            content, salt = derived.content, leaf.salt
        return self._receipt_of(session, leaf, content, salt)

    def frame_receipt(self, session: Session, actor: Actor, frame_id: int) -> dict:
        """The receipt of one archived HJ 212 frame: its batch's receipt and the frame's place in the batch."""
        from parksteward.ingest import notary
        from parksteward.ingest.tables import FrameVerdict, RawFrame

        if actor.is_enterprise:  # the frame must come from one of its devices
            own = session.scalars(scoped(select(FrameVerdict.frame_id).where(FrameVerdict.frame_id == frame_id),
                                         FrameVerdict, actor)).first()
            if own is None:
                raise NotFound(f"frame {frame_id} not found")
        leaf = session.scalars(select(LedgerLeaf).where(
            LedgerLeaf.kind == notary.KIND, LedgerLeaf.ref <= notary.batch_ref(frame_id, 10**15 - 1))
            .order_by(LedgerLeaf.ref.desc()).limit(1)).first()
        content = json.loads(leaf.content) if leaf is not None and leaf.content else None
        if content is None or frame_id not in notary.ids_of(content["ids"]):
            raise NotFound(f"frame {frame_id} is in no notarized batch (yet)")
        ids = notary.ids_of(content["ids"])
        frames = [(i, bytes(r)) for i, r in session.execute(select(RawFrame.id, RawFrame.raw)
                                                             .where(RawFrame.id.in_(ids)))]
        batch = notary.frame_proof(leaf.secret, frames, frame_id)
        if len(frames) != len(ids) or commitment(leaf.salt, batch["content"]) != leaf.commitment:
            raise Conflict("frame", f"the archived frames of leaf {leaf.idx} no longer match it: run "
                                    "`parksteward ledger audit`")
        made = self._receipt_of(session, leaf, content, leaf.salt)
        made["batch"] = {"frame_id": frame_id, "frame": base64.b64encode(batch["frame"]).decode("ascii"),
                         "salt": batch["salt"].hex(), "index": batch["index"], "size": batch["size"],
                         "proof": [base64.b64encode(p).decode("ascii") for p in batch["proof"]]}
        return made

    def _receipt_of(self, session: Session, leaf: LedgerLeaf, content: dict | None, salt: bytes | None) -> dict:
        checkpoint = session.scalars(select(LedgerCheckpoint).where(LedgerCheckpoint.size > leaf.idx,
                                                                    LedgerCheckpoint.final.is_(True))
                                     .order_by(LedgerCheckpoint.size.desc()).limit(1)).first()
        if checkpoint is None:
            raise Conflict("leaf", f"no final checkpoint covers leaf {leaf.idx} yet (checkpoints come every "
                                   f"{self.settings.ledger_checkpoint_seconds:g} s; the witnesses must cosign)")
        proof = self.log.inclusion_proof(leaf.idx, checkpoint.size)
        return receipt.build(origin=self.log.origin, leaf_index=leaf.idx, leaf_data=leaf.data, content=content,
                             salt=salt, proof=proof, tree_size=checkpoint.size, checkpoint_note=checkpoint.note)

    def leaf_of(self, session: Session, actor: Actor, kind: str, ref: str) -> int:
        index = session.scalar(scoped(select(func.max(LedgerLeaf.idx)).where(LedgerLeaf.kind == kind,
                                                                             LedgerLeaf.ref == ref),
                                      LedgerLeaf, actor))
        if index is None:
            raise NotFound(f"no leaf for {kind} {ref}")
        return int(index)


def load_or_create_log_key(path: Path, origin: str) -> notes.Signer:
    """The log's signer key from ``path``; a new one named ``origin`` if the file does not exist."""
    path = Path(path)
    if path.exists():
        signer = keys.read_signer_key(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        skey, _ = notes.generate_key(origin)
        keys.write_signer_key(path, skey)
        signer = notes.parse_skey(skey)
    if signer.name != origin:
        raise InvalidInput.single("ledger_key_file", f"{path} holds a key named {signer.name!r}; the log's origin "
                                  f"is {origin!r} (a checkpoint's origin is its log key's name)")
    return signer
