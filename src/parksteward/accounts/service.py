"""User accounts: creation, authentication, and the actor a token stands for.

Only an admin manages users; every user can read itself (``/auth/me``).
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from parksteward.access import Actor
from parksteward.accounts.schemas import UserCreate, UserUpdate
from parksteward.accounts.security import hash_password, verify_password
from parksteward.accounts.tables import User
from parksteward.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from parksteward.registry.tables import Enterprise

# Compared against when the user does not exist, so that a wrong username costs as much time
# as a wrong password.
_DUMMY_HASH = hash_password("not a real password")


def _admin_only(actor: Actor) -> None:
    if actor.role != "admin":
        raise PermissionDenied("only an admin manages users")


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, username=user.username, role=user.role, enterprise_id=user.enterprise_id)


def create_user(session: Session, actor: Actor, data: UserCreate | dict) -> User:
    _admin_only(actor)
    if isinstance(data, dict):
        try:
            data = UserCreate.model_validate(data)
        except ValidationError as exc:
            raise InvalidInput.from_pydantic(exc) from None
    if session.scalars(select(User).where(User.username == data.username)).first():
        raise Conflict("username", f"{data.username!r} is taken")
    if data.enterprise_id is not None and session.get(Enterprise, data.enterprise_id) is None:
        raise InvalidInput.single("enterprise_id", f"no enterprise with id {data.enterprise_id}")
    user = User(
        username=data.username,
        full_name=data.full_name,
        password_hash=hash_password(data.password),
        role=data.role,
        enterprise_id=data.enterprise_id,
        is_active=data.is_active,
    )
    session.add(user)
    session.commit()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, user.password_hash) or not user.is_active:
        return None
    return user


def active_user(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def list_users(session: Session, actor: Actor) -> list[User]:
    _admin_only(actor)
    return list(session.scalars(select(User).order_by(User.id)))


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    if actor.role != "admin" and actor.user_id != user_id:
        raise NotFound(f"no user {user_id}")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def update_user(session: Session, actor: Actor, user_id: int, patch: UserUpdate) -> User:
    _admin_only(actor)
    user = get_user(session, actor, user_id)
    changes = patch.model_dump(exclude_unset=True)
    role = changes.get("role", user.role)
    enterprise_id = changes.get("enterprise_id", user.enterprise_id if role == "enterprise" else None)
    if (role == "enterprise") != (enterprise_id is not None):
        raise InvalidInput.single("enterprise_id", "required for, and only for, the enterprise role")
    if enterprise_id is not None and session.get(Enterprise, enterprise_id) is None:
        raise InvalidInput.single("enterprise_id", f"no enterprise with id {enterprise_id}")
    if "password" in changes:
        user.password_hash = hash_password(changes.pop("password"))
    changes["role"], changes["enterprise_id"] = role, enterprise_id
    for name, value in changes.items():
        setattr(user, name, value)
    session.commit()
    return user


def delete_user(session: Session, actor: Actor, user_id: int) -> None:
    _admin_only(actor)
    user = get_user(session, actor, user_id)
    if user.id == actor.user_id:
        raise InvalidInput.single("id", "you cannot delete your own account")
    session.delete(user)
    session.commit()
