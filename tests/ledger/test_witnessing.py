"""Checkpoints, witnesses and receipts end to end: the log signs, two witnesses (the regulator,
required; an auditor, one of the optional) cosign over HTTP, a receipt verifies offline, and every
attack of the issue is caught with a message naming it."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from fastapi.testclient import TestClient

from parksteward.ledger import merkle, receipt
from parksteward.ledger import note as notes
from parksteward.ledger.checkpoint import Checkpoint, Policy, sign_checkpoint
from parksteward.ledger.checkpointer import Checkpointer, WitnessEndpoint
from parksteward.ledger.records import Record
from parksteward.ledger.store import LogStore
from parksteward.ledger.witness import Witness, WitnessState, create_app, request_body

ORIGIN = "envlog.test.example/park"


class Hosts(httpx.BaseTransport):
    """Routes requests by host name to in-process ASGI apps (the witnesses)."""

    def __init__(self, apps: dict):
        self.clients = {host: TestClient(app) for host, app in apps.items()}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.clients[request.url.host].request(request.method, request.url.path, content=request.read())
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


def _key(name: str, cosigner: bool = False, clock=None):
    skey, _ = notes.generate_key(name, notes.ED25519_COSIGNATURE if cosigner else notes.ED25519)
    return notes.CosignatureSigner.from_skey(skey, clock=clock) if cosigner else notes.parse_skey(skey)


@pytest.fixture
def park(engine, tmp_path):
    log_key = _key(ORIGIN)
    regulator = _key("regulator.example/witness", cosigner=True, clock=lambda: 1767225600)
    auditor = _key("auditor.example/witness", cosigner=True, clock=lambda: 1767225601)
    association = _key("association.example/witness", cosigner=True)
    witnesses = {
        "regulator": Witness(regulator, [log_key.verifier()], WitnessState(tmp_path / "regulator.db")),
        "auditor": Witness(auditor, [log_key.verifier()], WitnessState(tmp_path / "auditor.db")),
    }
    policy = Policy(log=log_key.verifier(), required=(regulator.verifier(),),
                    optional=(auditor.verifier(), association.verifier()), min_optional=1)
    client = httpx.Client(transport=Hosts({name: create_app(w) for name, w in witnesses.items()}))
    log = LogStore(engine, ORIGIN)
    checkpointer = Checkpointer(engine, log, log_key, policy,
                                [WitnessEndpoint("http://regulator", regulator.verifier()),
                                 WitnessEndpoint("http://auditor", auditor.verifier())], client=client)
    return log, checkpointer, witnesses, policy, log_key


def _records(start: int, n: int) -> list[Record]:
    return [Record("document", f"document:{i}", {"document": i, "title": f"环评报告 {i}", "sha256": f"{i:064x}"},
                   "user:1", 1767225600000 + i, enterprise_id=1) for i in range(start, start + n)]


def test_checkpoints_are_cosigned_and_final(park):
    log, checkpointer, witnesses, policy, _ = park
    log.append(_records(0, 5))
    first = checkpointer.checkpoint()
    assert first.final and sorted(first.cosigners) == ["auditor.example/witness", "regulator.example/witness"]
    cp, signatures = policy.open(first.note)
    assert cp.size == 5 and cp.root_hash == log.head()[1]
    assert signatures.timestamps() == {"regulator.example/witness": 1767225600, "auditor.example/witness": 1767225601}
    # the witnesses now hold size 5; the next checkpoint comes with a consistency proof from there
    log.append(_records(5, 12))
    second = checkpointer.checkpoint()
    assert second.size == 17 and second.final
    assert witnesses["regulator"].state.latest(ORIGIN).size == 17


def test_receipt_verifies_offline_and_any_flipped_bit_fails(park):
    log, checkpointer, _, policy, _ = park
    records = _records(0, 9)
    log.append(records)
    stored = checkpointer.checkpoint()
    index = 6
    leaf = log.leaf(index)
    made = receipt.build(origin=ORIGIN, leaf_index=index, leaf_data=leaf.data, content=records[index].content,
                         salt=leaf.salt, proof=log.inclusion_proof(index, stored.size), tree_size=stored.size,
                         checkpoint_note=stored.note)
    verdict = receipt.verify(made, policy)
    assert verdict.ok, verdict.failure
    assert [s for s, ok, _ in verdict.steps] == ["format", "record", "checkpoint signatures", "trust policy",
                                                 "inclusion proof"]
    text = json.dumps(made, ensure_ascii=False).encode("utf-8")
    for position in range(len(text)):
        for bit in (position % 8, (position * 5 + 3) % 8):
            flipped = bytearray(text)
            flipped[position] ^= 1 << bit
            try:
                altered = json.loads(bytes(flipped).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue  # no longer a receipt at all
            outcome = receipt.verify(altered, policy)
            assert not outcome.ok, f"flipping bit {bit} of byte {position} ({text[position:position + 1]!r}) passed"
            assert outcome.failure


def test_policy_short_of_cosignatures_is_named(park):
    log, checkpointer, _, policy, _ = park
    checkpointer.witnesses = checkpointer.witnesses[:1]  # the auditor is down
    log.append(_records(0, 3))
    stored = checkpointer.checkpoint()
    assert not stored.final and stored.cosigners == ["regulator.example/witness"]
    result = policy.check(policy.open(stored.note)[1])
    assert "needs 1 more cosignature from: auditor.example/witness, association.example/witness" in result.message


def test_checkpoint_signed_by_an_unknown_key_is_refused(park):
    log, _, witnesses, policy, _ = park
    log.append(_records(0, 2))
    impostor = _key(ORIGIN)  # the same name, another key
    signed = sign_checkpoint(Checkpoint(ORIGIN, 2, log.head()[1]), impostor)
    answer = witnesses["regulator"].add_checkpoint(request_body(0, [], signed))
    assert answer.status == 403 and "not signed by the log key" in answer.body
    with pytest.raises(notes.NoteError, match="no signature by a known key"):
        policy.open(signed)
    unknown_origin = sign_checkpoint(Checkpoint("other.example/log", 2, log.head()[1]), _key("other.example/log"))
    assert witnesses["regulator"].add_checkpoint(request_body(0, [], unknown_origin)).status == 404


def test_witness_refuses_a_fork_and_a_rollback_and_keeps_the_evidence(park, tmp_path):
    log, checkpointer, witnesses, _, log_key = park
    regulator = witnesses["regulator"]
    log.append(_records(0, 8))
    checkpointer.checkpoint()
    assert regulator.state.latest(ORIGIN).size == 8
    # A fork: the log signs another tree of size 10 that does not extend the one of size 8.
    other = [f"forged {i}".encode() for i in range(10)]
    forged = sign_checkpoint(Checkpoint(ORIGIN, 10, merkle.root_hash(other)), log_key)
    answer = regulator.add_checkpoint(request_body(8, merkle.consistency_proof(other, 8), forged))
    assert answer.status == 422 and "does not verify" in answer.body
    # The same size with another root is a fork too.
    same_size = sign_checkpoint(Checkpoint(ORIGIN, 8, merkle.root_hash(other[:8])), log_key)
    assert regulator.add_checkpoint(request_body(8, [], same_size)).status == 422
    # A rollback: a smaller tree than the witness cosigned.
    datas = [f"x{i}".encode() for i in range(3)]
    rollback = sign_checkpoint(Checkpoint(ORIGIN, 3, merkle.root_hash(datas)), log_key)
    assert regulator.add_checkpoint(request_body(8, [], rollback)).status == 400
    # A log that claims the witness is behind gets the witness's size back.
    conflict = regulator.add_checkpoint(request_body(5, [], forged))
    assert conflict.status == 409 and conflict.body.strip() == "8" and conflict.content_type == "text/x.tlog.size"
    evidence = regulator.state.evidence(ORIGIN)
    assert [e["kind"] for e in evidence] == ["fork", "fork", "rollback"]
    for item in evidence:  # both checkpoints kept: what was cosigned, and what the log signed besides
        assert item["witnessed_note"].startswith(f"{ORIGIN}\n8\n")
        assert notes.open_note(item["received_note"], [log_key.verifier()])
    assert regulator.state.latest(ORIGIN).size == 8  # the state did not move


def test_malformed_requests_get_400(park):
    _, _, witnesses, _, _ = park
    regulator = witnesses["regulator"]
    for body in (b"", b"old x\n\nnote", b"old 01\n\n", "old 1\n!!!\n\n".encode(), b"old 1\n" + b"\n" * 3,
                 b"\xff\xfe", base64.b64encode(b"x" * 40) + b"\n\n"):
        assert regulator.add_checkpoint(body).status == 400
