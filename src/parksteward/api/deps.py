"""Request dependencies: the database session and the authenticated actor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from parksteward.access import Actor
from parksteward.accounts.security import read_token
from parksteward.accounts.service import active_user, actor_of

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessionmaker() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_actor(request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Actor:
    return _actor_of_token(request, session, token)


def get_stream_actor(request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)],
                     access_token: str | None = None) -> Actor:
    """As :func:`get_actor`, also taking the token as ``?access_token=``: a browser's EventSource
    cannot send an Authorization header (used by the live streams only)."""
    return _actor_of_token(request, session, token or access_token)


def _actor_of_token(request: Request, session: Session, token: str | None) -> Actor:
    unauthorized = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="not authenticated: log in at POST /api/v1/auth/token and send 'Authorization: Bearer <token>'",
        headers={"WWW-Authenticate": "Bearer"},
    )
    if token is None:
        raise unauthorized
    user_id = read_token(request.app.state.secret_key, token)
    user = active_user(session, user_id) if user_id is not None else None
    if user is None:
        raise unauthorized
    return actor_of(user)


ActorDep = Annotated[Actor, Depends(get_actor)]

StreamActorDep = Annotated[Actor, Depends(get_stream_actor)]
