"""Create or upgrade the database schema with Alembic migrations."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> None:
    cfg = alembic_config()
    # Alembic manages its own transaction; SQLite's BEGIN IMMEDIATE hook still applies.
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        # "heads": each feature area keeps its own migration branch off the initial schema.
        command.upgrade(cfg, "heads")
        conn.commit()
