"""Password hashing (argon2id via pwdlib) and signed login tokens (JWT, HS256)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jwt
from pwdlib import PasswordHash

USER_PASSWORDS = PasswordHash.recommended()
ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return USER_PASSWORDS.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return USER_PASSWORDS.verify(password, password_hash)


def issue_token(secret: str, user_id: int, minutes: int) -> str:
    now = datetime.now(timezone.utc)
    claims = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(secret: str, token: str) -> int | None:
    """The user id a valid, unexpired token was issued for; None for any other token."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]})
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError):
        return None
