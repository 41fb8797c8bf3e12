"""The one base class of domain services: scoped list/get/create/update/delete.

A domain service names its table and schemas and adds its own checks in :meth:`check`.
Every statement goes through :func:`parksteward.access.scoped`; every write validates the
complete object (an update is merged onto the stored row and validated as a create);
only these methods commit.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parksteward.access import Actor, scoped
from parksteward.errors import Conflict, InvalidInput, NotFound


class CrudService:
    model: ClassVar[type]
    create_schema: ClassVar[type[BaseModel]]
    read_schema: ClassVar[type[BaseModel]]
    label: ClassVar[str]
    filters: ClassVar[tuple[str, ...]] = ()
    # Column groups that must be unique, checked before writing so the error names them.
    unique_together: ClassVar[tuple[tuple[str, ...], ...]] = ()
    order_by: ClassVar[str] = "id"

    # ------------------------------------------------------------ hooks
    def check(self, session: Session, actor: Actor, data: BaseModel, existing: Any | None) -> None:
        """Checks that need the store; raise InvalidInput naming the field."""

    def columns(self, data: BaseModel) -> dict[str, Any]:
        """Column values for a validated create schema."""
        return data.model_dump()

    def as_input(self, obj: Any) -> dict[str, Any]:
        """The stored object as create-schema input (the base an update is merged onto)."""
        return {name: getattr(obj, name) for name in self.create_schema.model_fields}

    # ------------------------------------------------------------ reads
    def query(self, actor: Actor, action: str = "read"):
        return scoped(select(self.model), self.model, actor, action)

    def list(
        self, session: Session, actor: Actor, *, limit: int = 1000, offset: int = 0, **filters: Any
    ) -> tuple[list[Any], int]:
        stmt = self.query(actor)
        for name, value in filters.items():
            if value is None:
                continue
            if name not in self.filters:
                raise InvalidInput.single(name, f"cannot filter {self.label} by {name!r}; filters: {list(self.filters)}")
            stmt = stmt.where(getattr(self.model, name) == value)
        count = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        rows = session.scalars(stmt.order_by(getattr(self.model, self.order_by)).limit(limit).offset(offset)).all()
        return list(rows), count

    def get(self, session: Session, actor: Actor, obj_id: Any, action: str = "read") -> Any:
        pk = self.model.__mapper__.primary_key[0]
        obj = session.scalars(self.query(actor, action).where(pk == obj_id)).first()
        if obj is None:
            raise NotFound(f"no {self.label} {obj_id}")
        return obj

    # ------------------------------------------------------------ writes
    def validate(self, raw: dict[str, Any]) -> BaseModel:
        try:
            return self.create_schema.model_validate(raw)
        except ValidationError as exc:
            raise InvalidInput.from_pydantic(exc) from None

    def add(self, session: Session, actor: Actor, data: BaseModel) -> Any:
        """Validate against the store and add, without committing (for multi-object transactions)."""
        self.query(actor, "write")  # raises PermissionDenied for roles that cannot write this at all
        self.check(session, actor, data, None)
        columns = self.columns(data)
        self.check_unique(session, columns, None)
        obj = self.model(**columns)
        session.add(obj)
        self.flush(session, obj)
        return obj

    def create(self, session: Session, actor: Actor, data: BaseModel | dict) -> Any:
        if isinstance(data, dict):
            data = self.validate(data)
        obj = self.add(session, actor, data)
        session.commit()
        return obj

    def update(self, session: Session, actor: Actor, obj_id: Any, patch: BaseModel | dict) -> Any:
        obj = self.get(session, actor, obj_id, "write")
        changes = patch.model_dump(exclude_unset=True) if isinstance(patch, BaseModel) else dict(patch)
        data = self.validate({**self.as_input(obj), **changes})
        self.check(session, actor, data, obj)
        columns = self.columns(data)
        self.check_unique(session, columns, obj)
        for name, value in columns.items():
            setattr(obj, name, value)
        self.flush(session, obj)
        session.commit()
        return obj

    def delete(self, session: Session, actor: Actor, obj_id: Any) -> None:
        obj = self.get(session, actor, obj_id, "write")
        session.delete(obj)
        session.commit()

    def check_unique(self, session: Session, columns: dict[str, Any], existing: Any | None) -> None:
        for group in self.unique_together:
            stmt = select(self.model).where(*(getattr(self.model, name) == columns[name] for name in group))
            if existing is not None:
                stmt = stmt.where(self.model.__mapper__.primary_key[0] != existing.id)
            if session.scalars(stmt.limit(1)).first() is not None:
                values = ", ".join(f"{name}={columns[name]!r}" for name in group)
                raise Conflict(group[-1], f"another {self.label} already has {values}")

    def flush(self, session: Session, obj: Any) -> None:
        try:
            session.flush()
        except IntegrityError as exc:  # a concurrent writer won the race past check_unique
            # No rollback here: the caller owns the transaction (an import spans many adds).
            raise Conflict(self.label, f"violates a database constraint: {exc.orig}") from None

    def read(self, obj: Any) -> BaseModel:
        return self.read_schema.model_validate(obj)
