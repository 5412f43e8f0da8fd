"""Alembic environment: runs on the connection `server.store.db.upgrade_schema` hands over,
or on `sqlalchemy.url` when alembic is run by hand (`alembic -c ... revision --autogenerate`)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from server.store import job_models, monitor_models  # noqa: F401  (their tables join Base.metadata)
from server.store.models import Base

config = context.config
ADVISORY_LOCK_ID = 0x4C494E4B  # "LINK": one upgrade at a time on PostgreSQL


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_ID})")
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    run(given)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as conn:
        run(conn)
        conn.commit()
