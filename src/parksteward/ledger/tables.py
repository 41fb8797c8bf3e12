"""Tables of the notarization log: leaves, tree nodes, the log's head, checkpoints, audits.

The log is append-only by construction: leaves get consecutive indices from 0, and the tree is
stored as its *perfect subtrees* (level, index), each written once when it completes and never
changed (RFC 9162 §2.1). Leaf hashes are level 0 and live in ``ledger_leaf``; ``ledger_node``
keeps levels >= 1, keyed by one integer (level << 48 | index) so that a proof's ~2 log2(n) hashes
are one indexed look-up each. Times are integer epoch milliseconds (UTC).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from parksteward.access.scope import Ownership
from parksteward.db.base import Base

_BIG_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite: a rowid key


class LedgerLeaf(Base):
    """One notarized record (存证记录): the leaf data the tree commits to, and what re-derives it.

    ``data`` is the canonical envelope (kind, reference, enterprise, submitter, submission time,
    salted commitment; see :mod:`~parksteward.ledger.records`) and ``leaf_hash`` = H(0x00 || data).
    ``salt`` stays here, beside the record and out of the public log: a receipt holder gets it,
    the public sees only the commitment.
    """

    __tablename__ = "ledger_leaf"
    __ownership__ = Ownership.ENTERPRISE_COLUMN

    idx: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(24))
    ref: Mapped[str] = mapped_column(String(160))
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)
    submitter: Mapped[str] = mapped_column(String(80))
    submitted_ms: Mapped[int] = mapped_column(BigInteger)
    logged_ms: Mapped[int] = mapped_column(BigInteger)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    commitment: Mapped[bytes] = mapped_column(LargeBinary(32))
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    supersedes: Mapped[int | None] = mapped_column(BigInteger)
    # A batch record's own secret (frames: the key of each frame's salt) and, for records that are
    # summaries rather than data (a batch's ids and root), the canonical record itself.
    secret: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)

    __table_args__ = (Index("ix_ledger_leaf_kind_ref", "kind", "ref"),)


class LedgerNode(Base):
    """A perfect subtree's hash at level >= 1: ``key`` = level << 48 | index (see module doc)."""

    __tablename__ = "ledger_node"
    __ownership__ = Ownership.PARK_LEVEL

    key: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerHead(Base):
    """The log's current size and root (one row): what the next append extends."""

    __tablename__ = "ledger_head"
    __ownership__ = Ownership.PARK_LEVEL

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    updated_ms: Mapped[int] = mapped_column(BigInteger)


class LedgerCheckpoint(Base):
    """A signed checkpoint (C2SP signed note) and the cosignatures collected for it."""

    __tablename__ = "ledger_checkpoint"
    __ownership__ = Ownership.PARK_LEVEL

    size: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)  # the log's signature and every cosignature line collected
    created_ms: Mapped[int] = mapped_column(BigInteger)
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    cosigners: Mapped[list] = mapped_column(default=list)  # names of the witnesses that cosigned


class LedgerWitness(Base):
    """What the log knows of each witness: the size it last cosigned (to send the right proof)."""

    __tablename__ = "ledger_witness"
    __ownership__ = Ownership.OPERATORS_ONLY

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_ms: Mapped[int] = mapped_column(BigInteger, default=0)


class LedgerAudit(Base):
    """One run of the forensic audit: what it checked and what it found."""

    __tablename__ = "ledger_audit"
    __ownership__ = Ownership.OPERATORS_ONLY

    id: Mapped[int] = mapped_column(primary_key=True)
    started_ms: Mapped[int] = mapped_column(BigInteger)
    finished_ms: Mapped[int | None] = mapped_column(BigInteger)
    checked: Mapped[int] = mapped_column(BigInteger, default=0)
    clean: Mapped[bool | None] = mapped_column(Boolean)
    findings: Mapped[list] = mapped_column(default=list)
