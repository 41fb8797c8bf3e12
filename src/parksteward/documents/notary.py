"""Documents in the log: the deriver the audit and receipts use (kind ``document``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from parksteward.config import Settings
from parksteward.documents.service import file_path, file_sha256, record_of
from parksteward.documents.tables import Document
from parksteward.ledger.derivers import Derived, Deriver, ids_of, register


def derive(session: Session, leaves: list, settings: Settings) -> dict[str, Derived | None]:
    """Each document's record from its register row, and a problem if its file on disk changed."""
    refs = [leaf.ref for leaf in leaves]
    ids = ids_of(refs)
    found: dict[str, Derived | None] = {ref: None for ref in refs}
    for document in session.scalars(select(Document).where(Document.id.in_(ids))):
        actual = file_sha256(file_path(settings.document_dir, document.sha256))
        problem = None
        if actual is None:
            problem = "its file is missing from the document folder"
        elif actual != document.sha256:
            problem = f"its file on disk has SHA-256 {actual}, not the notarized {document.sha256}"
        ref = ids[document.id]
        found[ref] = Derived(record_of(document).content, problem, covers=frozenset({ref}))
    return found


def unnotarized(session: Session, covered: set, settings: Settings):
    """Register rows no leaf covers (added to the database behind the platform's back)."""
    for document in session.scalars(select(Document).order_by(Document.id)):
        ref = f"document:{document.id}"
        if ref not in covered:
            yield ref, record_of(document).content


register(Deriver("document", derive, unnotarized))
