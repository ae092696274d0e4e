"""Alembic environment: uses the engine pilotgate hands over, batch mode on SQLite."""

from alembic import context

import pilotgate.db.models  # noqa: F401  (registers every table)
from pilotgate.db.base import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
