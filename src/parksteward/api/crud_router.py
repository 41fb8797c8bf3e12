"""One router shape for every registry entity: list, create, read, update, delete.

Routers only translate HTTP to a service call and back; the service scopes, validates and
commits.
"""


import inspect
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, create_model

from parksteward.api.deps import ActorDep, SessionDep
from parksteward.crud import CrudService


def _filter_dependency(service: CrudService):
    """A dependency whose query parameters are the service's filters (so OpenAPI lists them)."""
    columns = service.model.__table__.columns
    params = [
        inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[columns[name].type.python_type | None, Query()], default=None,
        )
        for name in service.filters
    ]

    def filters(**values: Any) -> dict[str, Any]:
        return values

    filters.__signature__ = inspect.Signature(params)
    return filters


def crud_router(
    path: str, service: CrudService, create: type[BaseModel], update: type[BaseModel], read: type[BaseModel], tag: str
) -> APIRouter:
    router = APIRouter(prefix=path, tags=[tag])
    page = create_model(f"{read.__name__}Page", data=(list[read], ...), count=(int, ...))
    filters = _filter_dependency(service)

    @router.get("", response_model=page, summary=f"List {service.label}s")
    def list_objects(
        session: SessionDep,
        actor: ActorDep,
        query: Annotated[dict, Depends(filters)],
        limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
        offset: Annotated[int, Query(ge=0)] = 0,
    ):
        rows, count = service.list(session, actor, limit=limit, offset=offset, **query)
        return {"data": [service.read(row) for row in rows], "count": count}

    @router.post("", response_model=read, status_code=status.HTTP_201_CREATED, summary=f"Create a {service.label}")
    def create_object(body: create, session: SessionDep, actor: ActorDep):
        return service.read(service.create(session, actor, body))

    @router.get("/{obj_id}", response_model=read, summary=f"Read a {service.label}")
    def read_object(obj_id: int, session: SessionDep, actor: ActorDep):
        return service.read(service.get(session, actor, obj_id))

    @router.patch("/{obj_id}", response_model=read, summary=f"Update a {service.label}")
    def update_object(obj_id: int, body: update, session: SessionDep, actor: ActorDep):
        return service.read(service.update(session, actor, obj_id, body))

    @router.delete("/{obj_id}", status_code=status.HTTP_204_NO_CONTENT, summary=f"Delete a {service.label}")
    def delete_object(obj_id: int, session: SessionDep, actor: ActorDep):
        service.delete(session, actor, obj_id)

    return router
