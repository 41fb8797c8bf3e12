"""Forensics: find every record that no longer matches the log, and say what, whose and when.

The audit walks the leaves, rebuilds each record from the business data as it is now (the
kind's deriver, :mod:`~parksteward.ledger.derivers`) and compares its salted commitment with the
leaf's (ledger.md §9):

- **altered**: the record is there but its commitment differs (or, for a document, its file on
  disk no longer has the notarized hash);
- **deleted**: a leaf whose record is gone;
- **inserted**: a record no leaf covers.

Each finding names the record, who submitted it, when it was submitted and logged, the first
checkpoint that covers its leaf (with the witnesses' cosignature times: from then on the
regulator holds proof of the original), the window in which it changed (since the last clean
audit), and where an archive still holds it, the original. Where a record was corrected through
the platform, a newer leaf ``supersedes`` the old one and only the newest is compared.

What the log cannot tell is who edited the database out of band: only changes made through the
platform carry an author. The database's own audit trail covers the rest.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from parksteward.config import Settings
from parksteward.ledger.derivers import load_all
from parksteward.ledger.records import commitment
from parksteward.ledger.tables import LedgerAudit, LedgerCheckpoint, LedgerLeaf

BATCH = 5_000


@dataclass
class Finding:
    change: str  # altered, deleted, inserted
    kind: str
    ref: str
    detail: str
    leaf_index: int | None = None
    enterprise_id: int | None = None
    submitter: str | None = None
    submitted_ms: int | None = None
    logged_ms: int | None = None
    checkpoint_size: int | None = None  # the first checkpoint covering the leaf
    checkpoint_ms: int | None = None
    cosigned: list[str] = field(default_factory=list)
    changed_after_ms: int | None = None  # the window of the change: after the last clean audit ...
    changed_before_ms: int | None = None  # ... and before this one
    original: dict | None = None
    current: dict | None = None


@dataclass
class AuditReport:
    id: int
    started_ms: int
    finished_ms: int
    checked: int
    findings: list[Finding]
    last_clean_ms: int | None

    @property
    def clean(self) -> bool:
        return not self.findings


def audit(engine: Engine, settings: Settings, *, now_ms: int | None = None) -> AuditReport:
    """Check every record against the log; the report is stored in ``ledger_audit``."""
    derivers = load_all()
    started = int(time.time() * 1000) if now_ms is None else now_ms
    with Session(engine) as session:
        last_clean = session.scalar(select(func.max(LedgerAudit.finished_ms)).where(LedgerAudit.clean.is_(True)))
        run = LedgerAudit(started_ms=started, checked=0, findings=[])
        session.add(run)
        session.commit()
        latest = _latest_leaves(session)
        findings: list[Finding] = []
        checked = 0
        covered: dict[str, set] = {}
        for kind, leaves in latest.items():
            deriver = derivers.get(kind)
            if deriver is None:
                continue  # a kind without a deriver here (e.g. from a newer version) cannot be checked
            indices = sorted(leaves.values())
            for start in range(0, len(indices), BATCH):
                rows = list(session.scalars(select(LedgerLeaf).where(LedgerLeaf.idx.in_(indices[start:start + BATCH]))))
                derived = deriver.derive(session, rows, settings)
                for leaf in rows:
                    checked += 1
                    now = derived.get(leaf.ref)
                    if now is None:
                        findings.append(_finding(session, "deleted", leaf, "the record is gone from the store"))
                        continue
                    covered.setdefault(kind, set()).update(now.covers)
                    if commitment(leaf.salt, now.content) != leaf.commitment:
                        finding = _finding(session, "altered", leaf,
                                           now.problem or "the record differs from what was notarized")
                        finding.current = now.content
                        findings.append(finding)
                    elif now.problem and not now.details:
                        findings.append(_finding(session, "altered", leaf, now.problem))
                    for item in now.details:
                        finding = _finding(session, item.get("change", "altered"), leaf, item["detail"])
                        finding.ref = item.get("ref", leaf.ref)
                        finding.submitter = item.get("submitter", leaf.submitter)
                        finding.original, finding.current = item.get("original"), item.get("current")
                        findings.append(finding)
        for kind, deriver in derivers.items():
            if deriver.unnotarized is None:
                continue
            for ref, content in deriver.unnotarized(session, covered.get(kind, set()), settings):
                checked += 1
                findings.append(Finding("inserted", kind, ref, "a record no leaf of the log covers", current=content))
        finished = int(time.time() * 1000) if now_ms is None else now_ms
        for finding in findings:
            finding.changed_after_ms, finding.changed_before_ms = last_clean, started
        session.execute(update(LedgerAudit).where(LedgerAudit.id == run.id).values(
            finished_ms=finished, checked=checked, clean=not findings, findings=[asdict(f) for f in findings]))
        session.commit()
        return AuditReport(run.id, started, finished, checked, findings, last_clean)


def _latest_leaves(session: Session) -> dict[str, dict[str, int]]:
    """kind -> ref -> index of the newest leaf of each record (a correction supersedes the older ones)."""
    out: dict[str, dict[str, int]] = {}
    stmt = select(LedgerLeaf.kind, LedgerLeaf.ref, func.max(LedgerLeaf.idx)).group_by(LedgerLeaf.kind, LedgerLeaf.ref)
    for kind, ref, idx in session.execute(stmt):
        out.setdefault(kind, {})[ref] = int(idx)
    return out


def _finding(session: Session, change: str, leaf: LedgerLeaf, detail: str) -> Finding:
    covering = session.execute(select(LedgerCheckpoint.size, LedgerCheckpoint.created_ms, LedgerCheckpoint.cosigners)
                               .where(LedgerCheckpoint.size > leaf.idx).order_by(LedgerCheckpoint.size)
                               .limit(1)).first()
    return Finding(change, leaf.kind, leaf.ref, detail, leaf.idx, leaf.enterprise_id, leaf.submitter,
                   leaf.submitted_ms, leaf.logged_ms, covering[0] if covering else None,
                   covering[1] if covering else None, list(covering[2]) if covering else [])
