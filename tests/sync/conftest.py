"""The app's sync engine is tested against the real service: the service's fixtures are shared here."""

from __future__ import annotations

from tests.server.conftest import server_db, settings  # noqa: F401  (a migrated PostgreSQL, the settings)
