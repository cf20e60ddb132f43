"""Alembic environment: runs on the connection budgetwatch hands it (see store/db.py)."""

from alembic import context
from sqlalchemy import create_engine

from budgetwatch.store.schema import (
    Base,  # store's tables; those of feed/, access/, execution/ register on it when imported
)

config = context.config
target_metadata = Base.metadata


def run() -> None:
    conn = config.attributes.get("connection")
    if conn is None:
        url = config.get_main_option("sqlalchemy.url")
        if url is None:
            raise RuntimeError("alembic: no connection handed over and no sqlalchemy.url configured")
        with create_engine(url).begin() as conn:
            context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
            context.run_migrations()
        return
    context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
    context.run_migrations()


run()
