"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server import create_app
from server.store.db import get_store
from server.store.models import Base


def test_upgrading_to_head_gives_the_models_schema(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/m.sqlite3"})
    app.instance_path = str(tmp_path)
    with app.app_context():
        engine = get_store(app).engine  # upgrades the schema on first use
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        engine.dispose()
    assert differences == []
