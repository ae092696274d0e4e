"""Storage: engine, unit of work, declarative base and Alembic migrations."""
