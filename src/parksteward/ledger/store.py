"""The log in the store: batched appends and proofs from stored tree state (SQLite and PostgreSQL).

Appending a batch is one transaction: the leaves with consecutive indices from the current size,
the perfect subtrees the batch completes (:func:`~parksteward.ledger.merkle.new_nodes`), and the
new head (size, root). Two appenders racing for the same indices cannot both commit: the second
hits the leaf's primary key or the head's expected size and retries on the new head, so the log
stays a single sequence whatever runs it (the server's ledger thread, the CLI).

Proofs and roots are computed from the stored perfect subtrees the RFC 9162 algorithms need,
about 2 log2(n) hashes fetched by key, never by rehashing leaves (ledger.md §9).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parksteward.ledger import merkle
from parksteward.ledger.records import Record, canonical, commitment, envelope, new_salt
from parksteward.ledger.tables import LedgerHead, LedgerLeaf

EMPTY_ROOT = hashlib.sha256(b"").digest()
_INSERT_LEAF = ("INSERT INTO ledger_leaf (idx, kind, ref, enterprise_id, submitter, submitted_ms, logged_ms, salt, "
                "commitment, leaf_hash, data, supersedes, secret, content) VALUES ({})")
_LEVEL_SHIFT = 48
_APPEND_ATTEMPTS = 8


def node_key(level: int, index: int) -> int:
    """``ledger_node.key`` of the perfect subtree (level, index), level >= 1."""
    return (level << _LEVEL_SHIFT) | index


class LogConflict(RuntimeError):
    """Another appender moved the head meanwhile (retried by :meth:`LogStore.append`)."""


@dataclass(frozen=True)
class Appended:
    """Where a batch landed: its first leaf index, and the log's size and root after it."""

    first_index: int
    size: int
    root: bytes

    @property
    def indices(self) -> range:
        return range(self.first_index, self.size)


class LogStore:
    """The append-only log of one park (``origin``, e.g. ``envlog.demo-park.example/2026``)."""

    def __init__(self, engine: Engine, origin: str):
        self.engine = engine
        self.origin = origin
        self._lock = threading.Lock()
        self._edge: tuple[int, dict] | None = None  # (size, right-edge perfect subtrees) after our last append
        self._known_size = 0

    # ------------------------------------------------------------ reading
    def head(self, connection: Connection | None = None) -> tuple[int, bytes]:
        """The log's size and root hash."""
        if connection is None:
            with self.engine.connect() as connection:
                return self.head(connection)
        row = connection.execute(select(LedgerHead.size, LedgerHead.root).where(LedgerHead.id == 1)).first()
        return (0, EMPTY_ROOT) if row is None else (int(row.size), bytes(row.root))

    def nodes(self, connection: Connection, coordinates) -> dict[tuple[int, int], bytes]:
        """Stored perfect-subtree hashes by (level, index); raises LookupError naming a missing one."""
        coordinates = list(dict.fromkeys(coordinates))
        leaves = [i for level, i in coordinates if level == 0]
        inner = {node_key(level, i): (level, i) for level, i in coordinates if level > 0}
        found: dict[tuple[int, int], bytes] = {}
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        # the driver directly: a proof is a handful of keyed look-ups, and statement compilation would
        # cost more than they do
        if leaves:
            rows = connection.exec_driver_sql(
                f"SELECT idx, leaf_hash FROM ledger_leaf WHERE idx IN ({', '.join([mark] * len(leaves))})",
                tuple(leaves))
            found.update(((0, int(i)), bytes(h)) for i, h in rows)
        if inner:
            rows = connection.exec_driver_sql(
                f"SELECT key, hash FROM ledger_node WHERE key IN ({', '.join([mark] * len(inner))})", tuple(inner))
            found.update((inner[int(k)], bytes(h)) for k, h in rows)
        missing = [c for c in coordinates if c not in found]
        if missing:
            raise LookupError(f"the store lacks tree node(s) {missing[:5]} (a damaged or foreign store?)")
        return found

    def root(self, size: int, connection: Connection | None = None) -> bytes:
        """Root of the tree of the first ``size`` leaves, from stored nodes."""
        if size == 0:
            return EMPTY_ROOT
        with self._connection(connection) as conn:
            return merkle.root_from(size, self.nodes(conn, merkle.root_nodes(size)))

    def inclusion_proof(self, index: int, size: int, connection: Connection | None = None) -> list[bytes]:
        """RFC 9162 inclusion proof of leaf ``index`` in the tree of ``size`` leaves."""
        self._check_size(size, connection)
        with self._connection(connection) as conn:
            return merkle.inclusion_proof_from(index, size, self.nodes(conn, merkle.inclusion_nodes(index, size)))

    def consistency_proof(self, size1: int, size2: int, connection: Connection | None = None) -> list[bytes]:
        """RFC 9162 consistency proof from the tree of ``size1`` leaves to that of ``size2``."""
        self._check_size(size2, connection)
        with self._connection(connection) as conn:
            return merkle.consistency_proof_from(size1, size2, self.nodes(conn, merkle.consistency_nodes(size1, size2)))

    def leaf(self, index: int) -> LedgerLeaf | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.get(LedgerLeaf, index)

    def _check_size(self, size: int, connection) -> None:
        if 0 < size <= self._known_size:  # the log only grows: a size seen once stays valid
            return
        current, _ = self.head(connection)
        self._known_size = max(self._known_size, current)
        if not 0 < size <= current:
            raise ValueError(f"tree size {size} is not in 1..{current} (the log's size)")

    def _connection(self, connection: Connection | None):
        if connection is not None:
            return _Borrowed(connection)
        return self.engine.connect()

    # ------------------------------------------------------------ appending
    def append(self, records: list[Record], now_ms: int | None = None, secrets: list[bytes] | None = None,
               transact=None) -> Appended:
        """Add ``records`` as consecutive leaves in one transaction; returns where they landed.

        ``secrets`` (one per record, or None) are stored beside the leaves (a batch's key).
        ``transact(work)``, if given, runs ``work(connection)`` in a transaction and commits
        (the ingest writer's :meth:`~parksteward.ingest.batcher.Batcher.write`); by default
        the log's engine does.
        """
        if not records:
            size, root = self.head()
            return Appended(size, size, root)
        now_ms = int(time.time() * 1000) if now_ms is None else now_ms
        salts = [new_salt() for _ in records]
        datas, commitments = [], []
        for record, salt in zip(records, salts):
            c = commitment(salt, record.content, record.encoded)
            commitments.append(c)
            datas.append(envelope(record, c))
        hashes = [merkle.leaf_hash(d) for d in datas]
        secrets = secrets or [None] * len(records)
        if len(secrets) != len(records):
            raise ValueError(f"{len(secrets)} secrets for {len(records)} records")
        with self._lock:
            for _ in range(_APPEND_ATTEMPTS):
                try:
                    return self._append_once(records, salts, commitments, datas, hashes, now_ms, secrets, transact)
                except (IntegrityError, LogConflict):
                    self._edge = None  # someone else appended: start again from the stored head
        raise LogConflict(f"could not append after {_APPEND_ATTEMPTS} attempts: the log head keeps moving")

    def _append_once(self, records, salts, commitments, datas, hashes, now_ms, secrets, transact=None) -> Appended:
        if transact is None:
            with self.engine.begin() as conn:
                size, new_size, root, known = self._write_leaves(conn, records, salts, commitments, datas, hashes,
                                                                 now_ms, secrets)
        else:
            size, new_size, root, known = transact(lambda conn: self._write_leaves(
                conn, records, salts, commitments, datas, hashes, now_ms, secrets))
        self._edge = (new_size, {c: known[c] for c in merkle.right_edge_nodes(new_size)})
        return Appended(size, new_size, root)

    def _write_leaves(self, conn, records, salts, commitments, datas, hashes, now_ms, secrets):
        """Inside a transaction: the leaves, their new inner nodes and the moved head."""
        size, _ = self.head(conn)
        if self._edge is not None and self._edge[0] == size:
            edge = self._edge[1]
        else:
            edge = self.nodes(conn, merkle.right_edge_nodes(size)) if size else {}
        created = merkle.new_nodes(size, hashes, edge)
        # the driver's executemany with plain tuples: the batch is thousands of rows
        marks = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        conn.exec_driver_sql(_INSERT_LEAF.format(", ".join([marks] * 14)), [
            (size + k, r.kind, r.ref, r.enterprise_id, r.submitter, r.submitted_ms, now_ms, s, c, h, d,
             r.supersedes, secret, (r.encoded or canonical(r.content)) if r.keep_content else None)
            for k, (r, s, c, d, h, secret) in enumerate(zip(records, salts, commitments, datas, hashes, secrets))])
        inner = [(node_key(level, i), h) for (level, i), h in created.items() if level > 0]
        if inner:
            conn.exec_driver_sql(f"INSERT INTO ledger_node (key, hash) VALUES ({marks}, {marks})", inner)
        new_size = size + len(hashes)
        known = {**edge, **created, **{(0, size + k): h for k, h in enumerate(hashes)}}
        root = merkle.root_from(new_size, {c: known[c] for c in merkle.root_nodes(new_size)})
        self._move_head(conn, size, new_size, root, now_ms)
        return size, new_size, root, known

    def _move_head(self, conn: Connection, size: int, new_size: int, root: bytes, now_ms: int) -> None:
        if size == 0 and conn.execute(select(LedgerHead.id)).first() is None:
            conn.execute(LedgerHead.__table__.insert().values(id=1, origin=self.origin, size=new_size, root=root,
                                                               updated_ms=now_ms))
            return
        moved = conn.execute(update(LedgerHead).where(LedgerHead.id == 1, LedgerHead.size == size)
                             .values(size=new_size, root=root, updated_ms=now_ms))
        if moved.rowcount != 1:
            raise LogConflict(f"log head is no longer at size {size}")


class _Borrowed:
    """A caller's connection used as a context manager without closing it."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def __enter__(self) -> Connection:
        return self.connection

    def __exit__(self, *exc) -> None:
        return None
