"""Schemas of user accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from parksteward.access.actor import ROLES


def _known_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}, expected one of {list(ROLES)}")
    return role


Role = Annotated[str, AfterValidator(_known_role)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@\-]+$")
    password: str = Field(min_length=8, max_length=128, repr=False)
    role: Role
    enterprise_id: int | None = None
    full_name: str | None = Field(None, max_length=100)
    is_active: bool = True

    @model_validator(mode="after")
    def _enterprise_role(self) -> UserCreate:
        if self.role == "enterprise" and self.enterprise_id is None:
            raise ValueError("an enterprise user needs enterprise_id")
        if self.role != "enterprise" and self.enterprise_id is not None:
            raise ValueError(f"a {self.role} user has no enterprise_id")
        return self


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    password: str | None = Field(None, min_length=8, max_length=128, repr=False)
    role: Role | None = None
    enterprise_id: int | None = None
    full_name: str | None = None
    is_active: bool | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    full_name: str | None
    role: str
    enterprise_id: int | None
    is_active: bool
    created_at: datetime | None = None


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
