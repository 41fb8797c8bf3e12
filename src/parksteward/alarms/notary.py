"""Alarm history in the log: every alarm event (raised, level changes, escalated, acknowledged,
cleared) becomes a leaf of kind ``alarm``, so a regulator can verify who acknowledged a warning
and when, and that nothing was removed or rewritten afterwards.

Events are notarized shortly after they are committed, by the alarm engine's thread
(:func:`notarize_pending`); the record is built only from the event row, which is never
updated, so the audit (:data:`deriver`) rebuilds exactly what was notarized.
"""

from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from parksteward.alarms.tables import AlarmEvent
from parksteward.config import Settings
from parksteward.ledger.derivers import Derived, Deriver, ids_of, register
from parksteward.ledger.records import Record
from parksteward.ledger.store import LogStore

BATCH = 1000


def _plain(value):
    """JSON the canonical encoder takes: non-finite numbers become strings ("inf")."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def content_of(event: AlarmEvent) -> dict:
    return _plain({"event": event.id, "alarm": event.alarm_id, "enterprise": event.enterprise_id,
                   "point": event.point_id, "at": event.at.isoformat(), "kind": event.kind, "level": event.level,
                   "actor": event.actor, "comment": event.comment, "detail": event.detail or {}})


def record_of(event: AlarmEvent) -> Record:
    submitter = "system" if event.actor in (None, "system") else f"user:{event.actor}"
    return Record("alarm", f"alarm_event:{event.id}", content_of(event), submitter,
                  int(event.at.timestamp() * 1000), event.enterprise_id)


def notarize_pending(sessions: sessionmaker, log: LogStore) -> int:
    """Append the events not yet in the log (oldest first); returns how many were appended."""
    done = 0
    while True:
        with sessions() as session:
            events = list(session.scalars(select(AlarmEvent).where(AlarmEvent.ledger_index.is_(None))
                                          .order_by(AlarmEvent.id).limit(BATCH)))
            if not events:
                return done
            appended = log.append([record_of(e) for e in events])
            for event, index in zip(events, appended.indices):
                event.ledger_index = index
            session.commit()
            done += len(events)



def derive(session: Session, leaves: list, settings: Settings) -> dict[str, Derived | None]:
    refs = [leaf.ref for leaf in leaves]
    ids = ids_of(refs)
    found: dict[str, Derived | None] = {ref: None for ref in refs}
    for event in session.scalars(select(AlarmEvent).where(AlarmEvent.id.in_(ids))):
        ref = ids[event.id]
        found[ref] = Derived(content_of(event), covers=frozenset({ref}))
    return found


def unnotarized(session: Session, covered: set, settings: Settings):
    """Events the log does not cover though they claim to be notarized (inserted behind its back)."""
    for event in session.scalars(select(AlarmEvent).where(AlarmEvent.ledger_index.is_not(None))
                                 .order_by(AlarmEvent.id)):
        ref = f"alarm_event:{event.id}"
        if ref not in covered:
            yield ref, content_of(event)


deriver = register(Deriver("alarm", derive, unnotarized))
