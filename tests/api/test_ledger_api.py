"""Documents and the notarization log over the API: an enterprise uploads a document, gets its
receipt and verifies it; another enterprise reaches neither; proofs and checkpoints are public."""

from __future__ import annotations

import base64

from parksteward.ledger import merkle
from parksteward.ledger.checkpoint import parse as parse_checkpoint


def _upload(client, headers, title="乙烯项目环评报告", content="报告正文".encode()):
    return client.post("/api/v1/documents", headers=headers, files={"file": ("eia.pdf", content, "application/pdf")},
                       data={"kind": "eia_report", "title": title})


def test_an_enterprise_notarizes_a_document_and_verifies_its_receipt(client, app, world, login):
    b = login("ent_b")
    uploaded = _upload(client, b)
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()
    assert document["enterprise_id"] == world.enterprise["b"] and document["ledger_index"] == 0
    assert document["sha256"] == __import__("hashlib").sha256("报告正文".encode()).hexdigest()
    # no final checkpoint yet: the receipt is refused with the reason
    early = client.get(f"/api/v1/ledger/receipts/{document['ledger_index']}", headers=b)
    assert early.status_code == 409 and "no final checkpoint" in early.text
    app.state.ledger.checkpointer.checkpoint()
    receipt = client.get("/api/v1/ledger/receipts", params={"kind": "document", "ref": f"document:{document['id']}"},
                         headers=b)
    assert receipt.status_code == 200, receipt.text
    made = receipt.json()
    assert made["record"]["content"]["sha256"] == document["sha256"]
    verdict = client.post("/api/v1/ledger/verify", json=made, headers=b).json()
    assert verdict["ok"], verdict
    made["record"]["content"]["title"] = "另一个标题"
    verdict = client.post("/api/v1/ledger/verify", json=made, headers=b).json()
    assert not verdict["ok"] and verdict["failure"].startswith("record:")
    # the download is the stored file
    assert client.get(f"/api/v1/documents/{document['id']}/file", headers=b).content == "报告正文".encode()
    # enterprise A reaches none of it
    a = login("ent_a")
    for path in (f"/api/v1/documents/{document['id']}", f"/api/v1/documents/{document['id']}/file",
                 f"/api/v1/ledger/leaves/{document['ledger_index']}",
                 f"/api/v1/ledger/receipts/{document['ledger_index']}"):
        assert client.get(path, headers=a).status_code == 404, path
    assert client.get("/api/v1/documents", headers=a).json()["count"] == 0
    assert client.get("/api/v1/documents", headers=b).json()["count"] == 1


def test_proofs_and_checkpoints_are_public_and_check_out(client, app, world, login):
    steward = login("steward")
    for i in range(5):
        assert _upload(client, steward, title=f"验收报告 {i}", content=f"第{i}份".encode()).status_code == 201
    app.state.ledger.checkpointer.checkpoint()
    regulator = login("regulator")
    head = client.get("/api/v1/ledger", headers=regulator).json()
    assert head["size"] == 5 and head["checkpoint"]["final"] and head["final_checkpoint_size"] == 5
    note = client.get("/api/v1/ledger/checkpoint", headers=regulator).text
    checkpoint = parse_checkpoint(note.split("\n\n")[0] + "\n")
    assert checkpoint.size == 5 and base64.b64encode(checkpoint.root_hash).decode() == head["root"]
    leaf = client.get("/api/v1/ledger/leaves/3", headers=regulator).json()
    proof = client.get("/api/v1/ledger/proofs/inclusion", params={"index": 3, "size": 5}, headers=regulator).json()
    assert merkle.verify_inclusion(merkle.leaf_hash(base64.b64decode(leaf["leaf"])), 3, 5,
                                   [base64.b64decode(p) for p in proof["proof"]], checkpoint.root_hash)
    assert leaf["envelope"]["kind"] == "document" and leaf["envelope"]["submitter"].startswith("user:")
    bad = client.get("/api/v1/ledger/proofs/inclusion", params={"index": 3, "size": 6}, headers=regulator)
    assert bad.status_code == 422 and "tree size 6" in bad.text
    audit = client.post("/api/v1/ledger/audits", headers=regulator).json()
    assert audit["clean"] and audit["checked"] == 5


def test_a_frame_a_device_sent_has_a_receipt_its_enterprise_can_verify(client, app, world, login):
    from parksteward.hj212 import build_frame

    b = login("ent_b")
    frames = [build_frame(st="31", cn="2061", mn="MN0000000000000000000B01", pw="123456", flag=4,
                          cp=[("DataTime", f"202503150{h}0000"), ("a21026-Avg", f"2{h}.5"), ("a21026-Flag", "N")])
              for h in (7, 8, 9)]
    sent = client.post("/api/v1/ingest/frames", content=b"\n".join(frames), headers={**b, "Content-Type": "text/plain"})
    assert sent.status_code == 200 and [d["kind"] for d in sent.json()["data"]] == [None, None, None], sent.text
    app.state.notary.flush()
    app.state.ledger.checkpointer.checkpoint()
    receipt = client.get("/api/v1/ledger/frames/2/receipt", headers=b)
    assert receipt.status_code == 200, receipt.text
    made = receipt.json()
    assert base64.b64decode(made["batch"]["frame"]) == frames[1]
    assert made["record"]["content"]["frames"] == 3 and made["batch"]["index"] == 1
    verdict = client.post("/api/v1/ledger/verify", json=made, headers=b).json()
    assert verdict["ok"], verdict
    assert [s["step"] for s in verdict["steps"]][2] == "frame"
    made["batch"]["frame"] = base64.b64encode(frames[1].replace(b"28.5", b"18.5")).decode()
    verdict = client.post("/api/v1/ledger/verify", json=made, headers=b).json()
    assert not verdict["ok"] and verdict["failure"].startswith("frame:")
    assert client.get("/api/v1/ledger/frames/2/receipt", headers=login("ent_a")).status_code == 404
