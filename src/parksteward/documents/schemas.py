"""API shapes of documents."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DocumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    park_id: int
    enterprise_id: int | None
    kind: str
    title: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str = Field(description="SHA-256 of the file (hex)")
    uploaded_by: int | None
    uploaded_ms: int = Field(description="Upload time [epoch ms]")
    ledger_index: int | None = Field(description="Its leaf in the notarization log (receipt: "
                                                 "GET /api/v1/ledger/receipts/{ledger_index})")


class DocumentList(BaseModel):
    data: list[DocumentRead]
    count: int
