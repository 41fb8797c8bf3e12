"""All tables of all domains, imported so that ``metadata`` is complete (for Alembic)."""

from parksteward.accounts import tables as _accounts  # noqa: F401
from parksteward.alarms import tables as _alarms  # noqa: F401
from parksteward.db.base import Base
from parksteward.documents import tables as _documents  # noqa: F401
from parksteward.ingest import tables as _ingest  # noqa: F401
from parksteward.ledger import tables as _ledger  # noqa: F401
from parksteward.modelling import tables as _modelling  # noqa: F401
from parksteward.registry import tables as _registry  # noqa: F401
from parksteward.standards import tables as _standards  # noqa: F401

metadata = Base.metadata
