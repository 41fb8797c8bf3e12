"""How each kind of record is found again in the store, to be checked against its leaf.

Every domain that notarizes records registers a *deriver* for its kind: given the references
of some leaves, it rebuilds each record's content from the business data as it is now (None if
the record is gone; ``settings`` tells where files are kept). The audit compares the salted commitment of that content with the leaf's;
receipts include it. A deriver may also list records it holds that no leaf covers (inserted
behind the platform's back) and recover an original from an archive (the raw HJ 212 frames).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from parksteward.config import Settings


@dataclass(frozen=True)
class Derived:
    """A record as the store holds it now.

    ``problem`` is something wrong beyond the content (a document's file on disk differs);
    ``details`` are findings inside the record, each a dict with ``ref``, ``detail`` and, where
    known, ``original`` and ``current`` (a frame's readings that differ from what it sent);
    ``covers`` are the business keys the record accounts for, so that records no leaf covers can
    be found (:attr:`Deriver.unnotarized`).
    """

    content: dict
    problem: str | None = None
    details: tuple[dict, ...] = ()
    covers: frozenset = frozenset()


@dataclass
class Deriver:
    """The functions of one record kind (see module doc): ``derive(session, leaves, settings)``
    rebuilds the records of some leaves (by ref); ``unnotarized(session, covered, settings)``
    yields (ref, content) of records whose keys no derived record covers."""

    kind: str
    derive: Callable[[Session, list, Settings], dict[str, Derived | None]]
    unnotarized: Callable[[Session, set, Settings], Iterable[tuple[str, dict]]] | None = None


DERIVERS: dict[str, Deriver] = {}


def ids_of(refs: list[str]) -> dict[int, str]:
    """The integer ids of references such as ``document:7`` (ref by id); malformed ones are skipped."""
    out = {}
    for ref in refs:
        try:
            out[int(ref.split(":", 1)[1])] = ref
        except (IndexError, ValueError):
            continue
    return out


def register(deriver: Deriver) -> Deriver:
    DERIVERS[deriver.kind] = deriver
    return deriver


def load_all() -> dict[str, Deriver]:
    """Import the domains that notarize records, so that their derivers are registered."""
    from parksteward.alarms import notary as _alarms  # noqa: F401
    from parksteward.documents import notary as _documents  # noqa: F401
    from parksteward.ingest import notary as _frames  # noqa: F401

    return DERIVERS
