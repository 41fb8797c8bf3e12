"""Routes for logging in and managing users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from parksteward.accounts import service
from parksteward.accounts.schemas import Token, UserCreate, UserRead, UserUpdate
from parksteward.accounts.security import issue_token
from parksteward.api.deps import ActorDep, SessionDep

router = APIRouter(tags=["accounts"])


@router.post("/auth/token", response_model=Token, summary="Log in (OAuth2 password flow)")
def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep):
    user = service.authenticate(session, form.username, form.password)
    if user is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    settings = request.app.state.settings
    return Token(access_token=issue_token(request.app.state.secret_key, user.id, settings.token_minutes))


@router.get("/auth/me", response_model=UserRead, summary="The logged-in user")
def me(session: SessionDep, actor: ActorDep):
    return service.get_user(session, actor, actor.user_id)


@router.get("/users", summary="List users (admin)")
def list_users(session: SessionDep, actor: ActorDep):
    users = service.list_users(session, actor)
    return {"data": [UserRead.model_validate(u) for u in users], "count": len(users)}


@router.post("/users", response_model=UserRead, status_code=201, summary="Create a user (admin)")
def create_user(body: UserCreate, session: SessionDep, actor: ActorDep):
    return service.create_user(session, actor, body)


@router.get("/users/{user_id}", response_model=UserRead, summary="Read a user (admin, or yourself)")
def read_user(user_id: int, session: SessionDep, actor: ActorDep):
    return service.get_user(session, actor, user_id)


@router.patch("/users/{user_id}", response_model=UserRead, summary="Update a user (admin)")
def update_user(user_id: int, body: UserUpdate, session: SessionDep, actor: ActorDep):
    return service.update_user(session, actor, user_id, body)


@router.delete("/users/{user_id}", status_code=204, summary="Delete a user (admin)")
def delete_user(user_id: int, session: SessionDep, actor: ActorDep):
    service.delete_user(session, actor, user_id)
