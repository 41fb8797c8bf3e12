"""Uploading, listing and reading documents; every upload is notarized.

A file is stored once under the document folder by its SHA-256 (``ab/ab12...``), its register
row names it, and a leaf of the log commits to the row's facts and the file's hash
(:func:`record_of`). The forensic audit re-derives the same record from the row and the file on
disk, so a row edited in the database or a file replaced on disk no longer matches its leaf.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from parksteward.access.actor import Actor
from parksteward.access.scope import scoped
from parksteward.documents.tables import DOCUMENT_KINDS, Document
from parksteward.errors import InvalidInput, NotFound, PermissionDenied
from parksteward.ledger.records import Record
from parksteward.ledger.store import LogStore
from parksteward.registry.tables import Enterprise, Park

MAX_BYTES = 200 * 1024 * 1024  # an EIA report with its annexes is large, not this large
_CHUNK = 1 << 20


def file_path(document_dir: Path, sha256: str) -> Path:
    return Path(document_dir) / sha256[:2] / sha256


def record_of(document: Document) -> Record:
    """The notarized record of a document: its register facts and the file's hash."""
    content = {"document": document.id, "park": document.park_id, "enterprise": document.enterprise_id,
               "kind": document.kind, "title": document.title, "filename": document.filename,
               "content_type": document.content_type, "size_bytes": document.size_bytes,
               "sha256": document.sha256}
    submitter = f"user:{document.uploaded_by}" if document.uploaded_by is not None else "system"
    return Record("document", f"document:{document.id}", content, submitter, document.uploaded_ms,
                  document.enterprise_id)


def upload(session: Session, actor: Actor, log: LogStore, document_dir: Path, stream: BinaryIO, *, filename: str,
           kind: str, title: str, content_type: str = "application/octet-stream", enterprise_id: int | None = None,
           park_id: int | None = None) -> Document:
    """Store ``stream`` as a document of ``enterprise_id`` (None: park level) and notarize it."""
    if kind not in DOCUMENT_KINDS:
        raise InvalidInput.single("kind", f"unknown document kind {kind!r}; valid: {', '.join(DOCUMENT_KINDS)}")
    if not title.strip():
        raise InvalidInput.single("title", "a title is needed")
    if actor.is_enterprise:
        if enterprise_id not in (None, actor.enterprise_id):
            raise PermissionDenied("an enterprise user uploads documents of its own enterprise only")
        enterprise_id = actor.enterprise_id
    elif not actor.writes_registry:
        raise PermissionDenied(f"role {actor.role!r} may read documents but not upload them")
    park_id = _park_of(session, enterprise_id, park_id)
    sha256, size = _store(document_dir, stream)
    document = Document(park_id=park_id, enterprise_id=enterprise_id, kind=kind, title=title.strip()[:300],
                        filename=Path(filename or "document").name[:255], content_type=content_type[:120],
                        size_bytes=size, sha256=sha256, uploaded_by=actor.user_id, uploaded_ms=int(time.time() * 1000))
    session.add(document)
    session.commit()
    appended = log.append([record_of(document)])
    document.ledger_index = appended.first_index
    session.commit()
    return document


def _park_of(session: Session, enterprise_id: int | None, park_id: int | None) -> int:
    if enterprise_id is not None:
        park = session.scalar(select(Enterprise.park_id).where(Enterprise.id == enterprise_id))
        if park is None:
            raise InvalidInput.single("enterprise_id", f"no enterprise {enterprise_id}")
        return park
    parks = session.scalars(select(Park.id).order_by(Park.id)).all()
    if park_id is not None:
        if park_id not in parks:
            raise InvalidInput.single("park_id", f"no park {park_id}")
        return park_id
    if len(parks) != 1:
        raise InvalidInput.single("park_id", f"the store holds {len(parks)} parks: say which one")
    return parks[0]


def _store(document_dir: Path, stream: BinaryIO) -> tuple[str, int]:
    """Copy ``stream`` into the folder under its SHA-256 (written to a temporary file, then renamed)."""
    folder = Path(document_dir)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise InvalidInput.single("file", f"larger than {MAX_BYTES // (1024 * 1024)} MB")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise InvalidInput.single("file", "the file is empty")
        sha256 = digest.hexdigest()
        target = file_path(folder, sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)  # the same content twice is one file
        return sha256, size
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def file_sha256(path: Path) -> str | None:
    """SHA-256 of the file at ``path``; None if it is gone."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def get(session: Session, actor: Actor, document_id: int) -> Document:
    document = session.scalars(scoped(select(Document).where(Document.id == document_id), Document, actor)).first()
    if document is None:
        raise NotFound(f"document {document_id} not found")
    return document


def listing(session: Session, actor: Actor, *, enterprise_id: int | None = None, kind: str | None = None,
            limit: int = 50, offset: int = 0) -> tuple[list[Document], int]:
    from sqlalchemy import func

    stmt = scoped(select(Document), Document, actor)
    if enterprise_id is not None:
        stmt = stmt.where(Document.enterprise_id == enterprise_id)
    if kind is not None:
        stmt = stmt.where(Document.kind == kind)
    count = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Document.id.desc()).limit(min(limit, 500)).offset(offset)).all()
    return list(rows), count
