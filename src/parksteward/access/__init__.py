"""Who may see and change what: the actor, the roles, and the one scoping function."""

from parksteward.access.actor import ROLES, Actor
from parksteward.access.scope import Ownership, scoped

__all__ = ["ROLES", "Actor", "Ownership", "scoped"]
