"""SQLAlchemy 2.0 persistence: models, engine set-up, repositories, migrations."""
