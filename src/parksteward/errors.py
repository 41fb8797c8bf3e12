"""Errors a user can cause, raised by services and translated to HTTP by the API
(404, 403, 409, 422) and to messages by the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field


class ParkStewardError(Exception):
    status_code = 400


class NotFound(ParkStewardError):
    """The object does not exist or is outside the actor's scope (the two are not told apart)."""

    status_code = 404


class PermissionDenied(ParkStewardError):
    """The actor's role may not do this at all."""

    status_code = 403


class Conflict(ParkStewardError):
    """The write would break a uniqueness rule; the message names the field and value."""

    status_code = 409

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class FieldError:
    loc: tuple[str | int, ...]
    msg: str

    def as_dict(self) -> dict:
        return {"loc": list(self.loc), "msg": self.msg, "type": "value_error"}


@dataclass
class InvalidInput(ParkStewardError):
    """One or more fields are invalid; each error names its field and what was expected."""

    errors: list[FieldError] = field(default_factory=list)
    status_code = 422

    def __post_init__(self):
        super().__init__("; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in self.errors))

    @classmethod
    def single(cls, field_name: str, msg: str) -> InvalidInput:
        return cls([FieldError((field_name,), msg)])

    @classmethod
    def from_pydantic(cls, exc, prefix: tuple = ()) -> InvalidInput:
        return cls([FieldError(prefix + tuple(err["loc"]), err["msg"]) for err in exc.errors()])
