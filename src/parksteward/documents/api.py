"""Routes of documents: upload (notarized), list, read, download."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile, status
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from parksteward.api.deps import ActorDep, SessionDep
from parksteward.documents import service
from parksteward.documents.schemas import DocumentList, DocumentRead
from parksteward.errors import NotFound

router = APIRouter(prefix="/documents", tags=["documents"])


@router.post("", response_model=DocumentRead, status_code=status.HTTP_201_CREATED,
             summary="Upload a document; it is stored with its SHA-256 and notarized")
async def upload(request: Request, session: SessionDep, actor: ActorDep,
                 file: Annotated[UploadFile, File(description="The document")],
                 kind: Annotated[str, Form(description="eia_report, acceptance_report, discharge_permit, ...")],
                 title: Annotated[str, Form()],
                 enterprise_id: Annotated[int | None, Form(description="Owner (default: the uploader's "
                                                                       "enterprise, or park level)")] = None,
                 park_id: Annotated[int | None, Form()] = None):
    state = request.app.state
    return await run_in_threadpool(
        service.upload, session, actor, state.ledger.log, state.settings.document_dir, file.file,
        filename=file.filename or "document", kind=kind, title=title,
        content_type=file.content_type or "application/octet-stream", enterprise_id=enterprise_id, park_id=park_id)


@router.get("", response_model=DocumentList, summary="Documents, newest first")
def listing(session: SessionDep, actor: ActorDep, enterprise_id: int | None = None, kind: str | None = None,
            limit: int = 50, offset: int = 0):
    rows, count = service.listing(session, actor, enterprise_id=enterprise_id, kind=kind, limit=limit, offset=offset)
    return DocumentList(data=[DocumentRead.model_validate(r) for r in rows], count=count)


@router.get("/{document_id}", response_model=DocumentRead, summary="A document's register entry")
def read(document_id: int, session: SessionDep, actor: ActorDep):
    return service.get(session, actor, document_id)


@router.get("/{document_id}/file", summary="Download the document")
def download(document_id: int, request: Request, session: SessionDep, actor: ActorDep):
    document = service.get(session, actor, document_id)
    path = service.file_path(request.app.state.settings.document_dir, document.sha256)
    if not path.exists():
        raise NotFound(f"the file of document {document_id} is missing from the document folder")
    return FileResponse(path, media_type=document.content_type, filename=document.filename)
