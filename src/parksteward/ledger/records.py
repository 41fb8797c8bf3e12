"""What a leaf commits to: a record's canonical encoding, its salted commitment, and the envelope.

A monitoring reading has little entropy (a pH of 7.12): a public hash of it could be guessed.
So the log never holds a record's hash, only a **salted commitment** H(salt || canonical record)
with a fresh random 32-byte salt per record, kept beside the record (ledger.md §7). The leaf data
is an **envelope** that names the record (kind, reference, enterprise), who submitted it and when,
and carries the commitment:

    {"commitment": "<64 hex>", "enterprise": 12, "kind": "readings", "ref": "...",
     "submitted_ms": 1767225600000, "submitter": "mn:88888880000001", "v": 1}

Both the record and the envelope are encoded by RFC 8785 (JSON Canonicalization Scheme,
:mod:`~parksteward.ledger.canonical`), so that
re-deriving them years later gives the same bytes whatever produced the JSON. ``v`` versions the
envelope; a new version may add fields, never change the meaning of these.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

from parksteward.ledger import canonical as jcs

ENVELOPE_VERSION = 1
SALT_BYTES = 32

#: Record kinds the platform notarizes.
KINDS = ("frames", "document", "alarm", "inspection", "decision", "report", "readings")


@dataclass(frozen=True)
class Record:
    """A record to notarize.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    ref : str
        What the record is, stable and unique within its kind (e.g. ``readings:12:raw:1767225600``,
        ``document:7``); the audit finds the record again by it.
    content : dict
        The record itself as JSON-able data (no floats that are NaN or infinite).
    submitter : str
        ``mn:<device MN>`` for a device, ``user:<id>`` for a user, ``system`` for the platform.
    submitted_ms : int
        When it was submitted [epoch ms].
    enterprise_id : int or None
        The enterprise it belongs to (None: park level).
    supersedes : int or None
        Index of the leaf this record corrects, if any.
    encoded : bytes or None
        ``canonical(content)`` if the producer computed it (e.g. with
        :func:`~parksteward.ledger.canonical.dumps_floatless`); it must be exactly that.
    keep_content : bool
        Keep the canonical record in the store beside its leaf (for records that summarise
        others, like a batch of frames: its ids and root; never for confidential data).
    """

    kind: str
    ref: str
    content: dict
    submitter: str
    submitted_ms: int
    enterprise_id: int | None = None
    supersedes: int | None = None
    encoded: bytes | None = None  # canonical(content), when the producer made it already (a faster way)
    keep_content: bool = False  # the store keeps the canonical record (summaries, not confidential data)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown record kind {self.kind!r}; valid: {', '.join(KINDS)}")
        if not self.ref or len(self.ref) > 160:
            raise ValueError(f"record reference must be 1-160 characters (found {self.ref!r})")
        if not self.submitter or len(self.submitter) > 80:
            raise ValueError(f"submitter must be 1-80 characters (found {self.submitter!r})")


def canonical(content) -> bytes:
    """RFC 8785 canonical JSON of ``content``."""
    try:
        return jcs.dumps(content)
    except jcs.CanonicalizationError as exc:
        raise ValueError(f"record cannot be canonicalized: {exc}") from None


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def commitment(salt: bytes, content, encoded: bytes | None = None) -> bytes:
    """H(salt || canonical(content)), SHA-256 (ledger.md §7); ``encoded`` is canonical(content) if known."""
    if len(salt) != SALT_BYTES:
        raise ValueError(f"salt must be {SALT_BYTES} bytes (found {len(salt)})")
    return hashlib.sha256(salt + (encoded if encoded is not None else canonical(content))).digest()


def envelope(record: Record, commitment_: bytes) -> bytes:
    """The leaf data for ``record`` with its commitment (see module doc)."""
    fields = {"v": ENVELOPE_VERSION, "kind": record.kind, "ref": record.ref, "enterprise": record.enterprise_id,
              "submitter": record.submitter, "submitted_ms": record.submitted_ms, "commitment": commitment_.hex()}
    if record.supersedes is not None:
        fields["supersedes"] = record.supersedes
    return jcs.dumps_floatless(fields)  # strings, integers and null only


def parse_envelope(data: bytes) -> dict:
    """The fields of a leaf's envelope; ValueError naming what is wrong."""
    try:
        fields = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"leaf data is not JSON: {exc}") from None
    if not isinstance(fields, dict) or fields.get("v") != ENVELOPE_VERSION:
        raise ValueError(f"leaf data is not a version-{ENVELOPE_VERSION} envelope")
    for name in ("kind", "ref", "submitter", "submitted_ms", "commitment"):
        if name not in fields:
            raise ValueError(f"leaf envelope lacks {name!r}")
    if jcs.dumps(fields) != data:
        raise ValueError("leaf data is not in canonical form (RFC 8785)")
    return fields
