"""Routes of the notarization log: head, checkpoints, proofs, leaves, receipts, verification, audits.

Checkpoints and proofs are public by design (anyone may check the log's consistency); a leaf and
its receipt follow the access rules (an enterprise sees its own records). ``POST /ledger/verify``
checks a receipt with the server's trust policy, for users without the command line; the
command ``parksteward verify`` does the same offline.
"""

from __future__ import annotations

import base64
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from parksteward.access.scope import scoped
from parksteward.api.deps import ActorDep, SessionDep
from parksteward.errors import InvalidInput, NotFound, PermissionDenied
from parksteward.ledger import receipt as receipts
from parksteward.ledger.records import parse_envelope
from parksteward.ledger.tables import LedgerAudit, LedgerLeaf

router = APIRouter(prefix="/ledger", tags=["notarization"])


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@router.get("", summary="The log's size, root and latest checkpoint")
def head(request: Request, actor: ActorDep):
    ledger = request.app.state.ledger
    size, root = ledger.log.head()
    latest = ledger.checkpointer.latest()
    final = ledger.checkpointer.latest(final_only=True)
    return {"origin": ledger.log.origin, "size": size, "root": _b64(root), "log_key": ledger.signer.vkey(),
            "checkpoint": None if latest is None else {"size": latest.size, "final": latest.final,
                                                       "cosigners": latest.cosigners},
            "final_checkpoint_size": None if final is None else final.size}


@router.get("/checkpoint", response_class=PlainTextResponse, summary="The latest (final) checkpoint, a signed note")
def checkpoint(request: Request, actor: ActorDep, final: bool = True):
    stored = request.app.state.ledger.checkpointer.latest(final_only=final)
    if stored is None:
        raise NotFound("no " + ("final " if final else "") + "checkpoint yet")
    return PlainTextResponse(stored.note)


@router.get("/proofs/inclusion", summary="RFC 9162 inclusion proof of a leaf in the tree of a size")
def inclusion(request: Request, actor: ActorDep, index: Annotated[int, Query(ge=0)], size: Annotated[int, Query(ge=1)]):
    try:
        proof = request.app.state.ledger.log.inclusion_proof(index, size)
    except ValueError as exc:
        raise InvalidInput.single("size", str(exc)) from None
    return {"index": index, "size": size, "proof": [_b64(p) for p in proof]}


@router.get("/proofs/consistency", summary="RFC 9162 consistency proof between two tree sizes")
def consistency(request: Request, actor: ActorDep, first: Annotated[int, Query(alias="from", ge=1)],
                second: Annotated[int, Query(alias="to", ge=1)]):
    try:
        proof = request.app.state.ledger.log.consistency_proof(first, second)
    except ValueError as exc:
        raise InvalidInput.single("to", str(exc)) from None
    return {"from": first, "to": second, "proof": [_b64(p) for p in proof]}


@router.get("/leaves/{index}", summary="A leaf: its envelope (kind, reference, submitter, commitment)")
def leaf(index: int, session: SessionDep, actor: ActorDep):
    row = session.scalars(scoped(select(LedgerLeaf).where(LedgerLeaf.idx == index), LedgerLeaf, actor)).first()
    if row is None:
        raise NotFound(f"leaf {index} not found")
    return {"index": row.idx, "leaf": _b64(row.data), "envelope": parse_envelope(row.data),
            "logged_ms": row.logged_ms}


@router.get("/receipts/{index}", summary="The receipt of a leaf (its record, inclusion proof, final checkpoint)")
def receipt_of_leaf(index: int, request: Request, session: SessionDep, actor: ActorDep, record: bool = True):
    return request.app.state.ledger.receipt(session, actor, index, with_record=record)


@router.get("/frames/{frame_id}/receipt", summary="The receipt of one archived HJ 212 frame (what a device sent)")
def receipt_of_frame(frame_id: int, request: Request, session: SessionDep, actor: ActorDep):
    return request.app.state.ledger.frame_receipt(session, actor, frame_id)


@router.get("/receipts", summary="The receipt of a record by kind and reference (e.g. document, document:7)")
def receipt_of_record(request: Request, session: SessionDep, actor: ActorDep, kind: str, ref: str,
                      record: bool = True):
    ledger = request.app.state.ledger
    return ledger.receipt(session, actor, ledger.leaf_of(session, actor, kind, ref), with_record=record)


@router.post("/verify", summary="Check a receipt with this server's trust policy")
def verify(request: Request, actor: ActorDep, body: Annotated[dict, Body(description="A receipt")]):
    verdict = receipts.verify(body, request.app.state.ledger.policy)
    return {"ok": verdict.ok, "failure": verdict.failure,
            "steps": [{"step": s, "ok": ok, "detail": d} for s, ok, d in verdict.steps],
            "cosigned_at": verdict.cosigned_at}


@router.post("/audits", summary="Run the forensic audit now (operators and the regulator)")
async def run_audit(request: Request, actor: ActorDep):
    if actor.is_enterprise:
        raise PermissionDenied("an enterprise user may not run the park's audit")
    from parksteward.ledger.audit import audit

    ledger = request.app.state.ledger
    report = await run_in_threadpool(audit, ledger.engine, ledger.settings)
    return {"id": report.id, "checked": report.checked, "clean": report.clean,
            "findings": [asdict(f) for f in report.findings]}


@router.get("/audits", summary="Audits, newest first")
def audits(session: SessionDep, actor: ActorDep, limit: int = 20):
    if actor.is_enterprise:
        raise PermissionDenied("an enterprise user may not read the park's audits")
    rows = session.scalars(select(LedgerAudit).order_by(LedgerAudit.id.desc()).limit(min(limit, 200))).all()
    return [{"id": r.id, "started_ms": r.started_ms, "finished_ms": r.finished_ms, "checked": r.checked,
             "clean": r.clean, "findings": r.findings} for r in rows]
