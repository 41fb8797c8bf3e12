"""The actor: the authenticated user a service acts for."""

from __future__ import annotations

from dataclasses import dataclass

# admin: everything, including users. steward (环保管家): reads all, writes the registry.
# regulator (生态环境局) and command (应急指挥中心): read all, write nothing here.
# enterprise (入驻企业): reads shared park objects, reads and writes only its own enterprise's objects.
ROLES = ("admin", "steward", "enterprise", "regulator", "command")
REGISTRY_WRITERS = ("admin", "steward")


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str
    enterprise_id: int | None = None

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}, expected one of {list(ROLES)}")
        if (self.role == "enterprise") != (self.enterprise_id is not None):
            raise ValueError("an enterprise actor, and only one, has an enterprise_id")

    @property
    def writes_registry(self) -> bool:
        return self.role in REGISTRY_WRITERS

    @property
    def is_enterprise(self) -> bool:
        return self.role == "enterprise"


# The actor of CLI commands and the demo builder: the operator at the machine.
SYSTEM = Actor(user_id=None, username="system", role="admin")
