"""The stored log: batched appends give the RFC 9162 tree of their leaves, and proofs from stored
nodes equal those of the pure module on the same leaves (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import random

import pytest
from sqlalchemy import text

from parksteward.ledger import merkle
from parksteward.ledger.records import Record, commitment, envelope, parse_envelope
from parksteward.ledger.store import EMPTY_ROOT, LogStore
from parksteward.ledger.tables import LedgerLeaf

ORIGIN = "envlog.test.example/park"


def _record(i: int) -> Record:
    return Record("readings", f"readings:1:raw:{1767225600 + 60 * i}",
                  {"device": "88888880000001", "interval": "raw", "t": 1767225600 + 60 * i,
                   "values": [["a21026", "Rtd", 10.0 + i / 8, "N"]]}, "mn:88888880000001", 1767225600000 + i)


def _leaf_datas(engine) -> list[bytes]:
    with engine.connect() as conn:
        return [bytes(d) for (d,) in conn.execute(text("SELECT data FROM ledger_leaf ORDER BY idx"))]


def test_batched_appends_build_the_rfc9162_tree(engine):
    log = LogStore(engine, ORIGIN)
    assert log.head() == (0, EMPTY_ROOT) and EMPTY_ROOT == hashlib.sha256(b"").digest()
    n = 0
    for batch in (1, 1, 2, 5, 17, 1, 100, 3, 64, 36):
        appended = log.append([_record(n + k) for k in range(batch)])
        assert appended.first_index == n and appended.size == n + batch
        n += batch
        datas = _leaf_datas(engine)
        assert len(datas) == n
        assert appended.root == merkle.root_hash(datas) == log.head()[1]
    rng = random.Random(5)
    datas = _leaf_datas(engine)
    for size in (1, 2, 3, 7, 8, 9, 64, 65, 130, n):
        assert log.root(size) == merkle.root_hash(datas[:size])
        for index in {0, size - 1, rng.randrange(size)}:
            assert log.inclusion_proof(index, size) == merkle.inclusion_proof(datas[:size], index)
        for size1 in {1, size // 2 or 1, size}:
            assert log.consistency_proof(size1, size) == merkle.consistency_proof(datas[:size], size1)


def test_leaves_commit_to_salted_records(engine):
    log = LogStore(engine, ORIGIN)
    record = _record(0)
    log.append([record, _record(1)])
    with engine.connect() as conn:
        leaf = conn.execute(LedgerLeaf.__table__.select().where(LedgerLeaf.idx == 0)).first()
    assert len(leaf.salt) == 32
    assert bytes(leaf.commitment) == commitment(bytes(leaf.salt), record.content)
    assert bytes(leaf.data) == envelope(record, bytes(leaf.commitment))
    assert bytes(leaf.leaf_hash) == merkle.leaf_hash(bytes(leaf.data))
    fields = parse_envelope(bytes(leaf.data))
    assert fields["ref"] == record.ref and fields["submitter"] == "mn:88888880000001"
    assert "values" not in bytes(leaf.data).decode()  # the record itself is not in the leaf
    # two leaves of the same content differ: each has its own salt
    log.append([record])
    with engine.connect() as conn:
        commitments = [bytes(c) for (c,) in conn.execute(text("SELECT commitment FROM ledger_leaf"))]
    assert commitments[0] != commitments[2]


def test_two_writers_keep_one_sequence(engine):
    first, second = LogStore(engine, ORIGIN), LogStore(engine, ORIGIN)
    for i in range(6):
        writer = first if i % 2 == 0 else second
        writer.append([_record(10 * i + k) for k in range(i + 1)])
    datas = _leaf_datas(engine)
    assert len(datas) == sum(range(1, 7))
    assert first.head()[1] == second.head()[1] == merkle.root_hash(datas)
    with engine.connect() as conn:
        indices = [i for (i,) in conn.execute(text("SELECT idx FROM ledger_leaf ORDER BY idx"))]
    assert indices == list(range(len(datas)))


def test_proofs_for_sizes_the_log_does_not_have_are_refused(engine):
    log = LogStore(engine, ORIGIN)
    log.append([_record(i) for i in range(5)])
    with pytest.raises(ValueError, match="tree size 6"):
        log.inclusion_proof(0, 6)
    with pytest.raises(ValueError):
        log.consistency_proof(3, 9)


def test_bad_records_are_refused_before_anything_is_written(engine):
    log = LogStore(engine, ORIGIN)
    with pytest.raises(ValueError, match="unknown record kind"):
        Record("gossip", "x", {}, "user:1", 0)
    with pytest.raises(ValueError, match="canonicalized"):
        log.append([_record(0), Record("readings", "r", {"value": float("nan")}, "user:1", 0)])
    assert log.head() == (0, EMPTY_ROOT)
