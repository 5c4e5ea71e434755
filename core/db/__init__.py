"""Persistence: the SQLAlchemy models, the engine with its pragmas, and running migrations."""
