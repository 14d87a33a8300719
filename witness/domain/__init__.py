"""The pure domain: no Prefect, SQLAlchemy, Jinja or I/O here."""
