"""The document register: one row per uploaded file, the file itself in the document folder."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from parksteward.access.scope import Ownership
from parksteward.db.base import Base

#: Kinds of documents, with their Chinese and English names.
DOCUMENT_KINDS = {
    "eia_report": ("环境影响评价报告", "environmental impact assessment report"),
    "eia_approval": ("环评批复", "EIA approval"),
    "acceptance_report": ("竣工环境保护验收报告", "completion acceptance report"),
    "discharge_permit": ("排污许可证", "discharge permit"),
    "emergency_plan": ("突发环境事件应急预案", "environmental emergency plan"),
    "monitoring_report": ("监测报告", "monitoring report"),
    "inspection_report": ("检查报告", "inspection report"),
    "other": ("其他", "other"),
}


class Document(Base):
    """An uploaded document; ``sha256`` is the file's hash, ``ledger_index`` its leaf in the log."""

    __tablename__ = "document"
    __ownership__ = Ownership.ENTERPRISE_COLUMN

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    uploaded_ms: Mapped[int] = mapped_column(BigInteger)
    ledger_index: Mapped[int | None] = mapped_column(BigInteger)
