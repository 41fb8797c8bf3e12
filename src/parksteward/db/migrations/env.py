"""Alembic environment: runs on a connection handed over by ``parksteward.db.migrate``,
or opens one from ``sqlalchemy.url`` when alembic is run by hand."""

from alembic import context
from sqlalchemy import pool

from parksteward.db.engine import make_engine
from parksteward.db.metadata import metadata

config = context.config


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as conn:
        run(conn)
