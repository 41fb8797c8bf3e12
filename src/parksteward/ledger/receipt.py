"""Receipts (存证回执): everything needed to check one record offline, years later, without the park's server.

A receipt is JSON::

    {"format": "parksteward-receipt/v1",
     "origin": "envlog.parksteward.local/park",
     "leaf_index": 41, "tree_size": 1000,
     "leaf": "<base64 envelope>",                     # what the tree commits to
     "record": {"content": {...}, "salt": "<hex>"},   # the record itself (may be left out)
     "inclusion_proof": ["<base64>", ...],
     "checkpoint": "<signed note with cosignatures>"}

A frame's receipt adds ``"batch": {"frame_id", "frame" (base64 of the raw HJ 212 frame), "salt",
"index", "size", "proof"}``: the frame's salted commitment and its inclusion in its batch's own
tree, whose root the (batch) record carries.

:func:`verify` checks it with a trust file's policy and nothing else, step by step, and every
failure names its step: the receipt's shape, the record against the envelope's salted
commitment, the checkpoint's signatures and the trust policy (log, regulator, k more), the
checkpoint against the receipt's origin and size, and the inclusion proof against the
checkpoint's root (ledger.md §9).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from parksteward.ledger import merkle
from parksteward.ledger import note as notes
from parksteward.ledger.checkpoint import CheckpointError, Policy
from parksteward.ledger.records import commitment, parse_envelope

FORMAT = "parksteward-receipt/v1"
_LOWER_HEX = re.compile(r"[0-9a-f]{64}")
FIELDS = {"format", "origin", "leaf_index", "tree_size", "leaf", "record", "inclusion_proof", "checkpoint"}


def _base64(text) -> bytes:
    """Strict base64: only the canonical encoding of its bytes is accepted (a changed unused bit is a change)."""
    if not isinstance(text, str):
        raise TypeError("base64 values must be text")
    value = base64.b64decode(text, validate=True)
    if base64.b64encode(value).decode("ascii") != text:
        raise ValueError(f"{text[:12]}... is not canonical base64")
    return value


def _check_frame(batch, content) -> str | None:
    """The frame against its batch: salted commitment, place among the ids, inclusion in the batch root."""
    try:
        if not isinstance(batch, dict) or set(batch) != {"frame_id", "frame", "salt", "index", "size", "proof"}:
            return "the batch part is not {frame_id, frame, salt, index, size, proof}"
        frame_id, index, size = batch["frame_id"], batch["index"], batch["size"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (frame_id, index, size)):
            return "frame_id, index and size must be integers"
        if not isinstance(batch["salt"], str) or not _LOWER_HEX.fullmatch(batch["salt"]):
            return "the frame's salt must be 64 lowercase hex digits"
        raw, salt = _base64(batch["frame"]), bytes.fromhex(batch["salt"])
        proof = [_base64(p) for p in batch["proof"]]
        ids = [i for first, last in content["ids"] for i in range(first, last + 1)]
        root = bytes.fromhex(content["root"])
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        return f"malformed batch part: {exc}"
    if content.get("frames") != size or len(ids) != size or not 0 <= index < size or ids[index] != frame_id:
        return f"frame {frame_id} is not frame {index} of the batch's {content.get('frames')} (ids {content['ids']})"
    inner = frame_id.to_bytes(8, "big") + hashlib.sha256(salt + raw).digest()
    if not merkle.verify_inclusion(merkle.leaf_hash(inner), index, size, proof, root):
        return f"frame {frame_id} (with its salt) is not in the batch's tree: the frame or its proof was changed"
    return None


def build(*, origin: str, leaf_index: int, leaf_data: bytes, content: dict | None, salt: bytes | None,
          proof: list[bytes], tree_size: int, checkpoint_note: str) -> dict:
    """A receipt from its parts (see module doc); ``content`` None leaves the record out."""
    receipt = {"format": FORMAT, "origin": origin, "leaf_index": leaf_index, "tree_size": tree_size,
               "leaf": base64.b64encode(leaf_data).decode("ascii"),
               "record": None if content is None else {"content": content, "salt": salt.hex()},
               "inclusion_proof": [base64.b64encode(p).decode("ascii") for p in proof],
               "checkpoint": checkpoint_note}
    return receipt


@dataclass
class Verdict:
    """The outcome of :func:`verify`: each step checked, and the first that failed."""

    steps: list[tuple[str, bool, str]] = field(default_factory=list)
    envelope: dict | None = None
    cosigned_at: dict[str, int] = field(default_factory=dict)  # witness name -> POSIX time

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(passed for _, passed, _ in self.steps)

    @property
    def failure(self) -> str | None:
        for step, passed, detail in self.steps:
            if not passed:
                return f"{step}: {detail}"
        return None

    def passed(self, step: str, detail: str) -> None:
        self.steps.append((step, True, detail))

    def failed(self, step: str, detail: str) -> Verdict:
        self.steps.append((step, False, detail))
        return self


def verify(receipt, policy: Policy) -> Verdict:
    """Check a receipt offline against a trust policy; never raises on bad input."""
    verdict = Verdict()
    # 1. shape
    if not isinstance(receipt, dict) or receipt.get("format") != FORMAT:
        return verdict.failed("format", f"not a {FORMAT} receipt")
    if set(receipt) not in (FIELDS, FIELDS | {"batch"}):  # a renamed field could make a receipt weaker
        wrong = sorted(set(receipt) ^ FIELDS - {"batch"})
        return verdict.failed("format", f"receipt fields differ from {FORMAT}'s: {', '.join(wrong)}")
    try:
        index, size = receipt["leaf_index"], receipt["tree_size"]
        if not (isinstance(index, int) and isinstance(size, int) and 0 <= index < size):
            return verdict.failed("format", f"leaf_index {index!r} is not within tree_size {size!r}")
        leaf = _base64(receipt["leaf"])
        proof = [_base64(p) for p in receipt["inclusion_proof"]]
        signed = receipt["checkpoint"]
        origin = receipt["origin"]
        if not isinstance(signed, str) or not isinstance(origin, str):
            raise TypeError("checkpoint and origin must be text")
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        return verdict.failed("format", f"malformed receipt: {exc.__class__.__name__}: {exc}")
    verdict.passed("format", f"leaf {index} of a tree of {size}")
    # 2. the record against its leaf
    try:
        envelope = parse_envelope(leaf)
    except ValueError as exc:
        return verdict.failed("leaf", str(exc))
    verdict.envelope = envelope
    record = receipt.get("record")
    if record is None:
        verdict.passed("record", "not included: the receipt proves the commitment "
                                 f"{envelope['commitment'][:16]}... only")
    else:
        try:
            if not isinstance(record, dict) or set(record) != {"content", "salt"}:
                raise ValueError("a record is {content, salt}")
            if not isinstance(record["salt"], str) or not _LOWER_HEX.fullmatch(record["salt"]):
                raise ValueError("salt must be 64 lowercase hex digits")
            salt = bytes.fromhex(record["salt"])
            derived = commitment(salt, record["content"]).hex()
        except (KeyError, TypeError, ValueError) as exc:
            return verdict.failed("record", f"malformed record: {exc}")
        if derived != envelope["commitment"]:
            return verdict.failed("record", f"the record's salted commitment {derived[:16]}... is not the leaf's "
                                            f"{envelope['commitment'][:16]}...: the record was changed")
        verdict.passed("record", f"matches the leaf's commitment ({envelope['kind']} {envelope['ref']})")
    if "batch" in receipt:
        if record is None:
            return verdict.failed("frame", "a frame's receipt needs its batch's record")
        problem = _check_frame(receipt["batch"], record["content"])
        if problem:
            return verdict.failed("frame", problem)
        verdict.passed("frame", f"frame {receipt['batch']['frame_id']} is frame {receipt['batch']['index'] + 1} of "
                                f"{receipt['batch']['size']} in the batch")
    # 3. the checkpoint's signatures and the trust policy
    try:
        checkpoint, signatures = policy.open(signed)
    except (notes.NoteError, CheckpointError) as exc:
        return verdict.failed("checkpoint signatures", str(exc))
    verdict.cosigned_at = signatures.timestamps()
    result = policy.check(signatures)
    if not result:
        return verdict.failed("trust policy", result.message)
    verdict.passed("checkpoint signatures", "signed by the log"
                   + (f", cosigned by {', '.join(s.name for s in signatures.cosignatures)}"
                      if signatures.cosignatures else ""))
    verdict.passed("trust policy", result.message)
    if checkpoint.origin != origin:
        return verdict.failed("checkpoint", f"checkpoint is of log {checkpoint.origin!r}, receipt names {origin!r}")
    if checkpoint.size != size:
        return verdict.failed("checkpoint", f"checkpoint is of size {checkpoint.size}, receipt names {size}")
    # 4. inclusion
    if not merkle.verify_inclusion(merkle.leaf_hash(leaf), index, size, proof, checkpoint.root_hash):
        return verdict.failed("inclusion proof", f"leaf {index} is not in the tree of size {size} with root "
                                                 f"{base64.b64encode(checkpoint.root_hash).decode()}")
    verdict.passed("inclusion proof", f"leaf {index} is in the checkpoint's tree")
    return verdict
