"""The service's settings: environment variables, profiles, and no public secret outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sync.server.config import DEVELOPMENT_SECRET, Profile, Settings

SECRET = "s" * 40
DB = "postgresql+psycopg://svc:pw@db.internal/printstall"


def test_development_works_with_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.profile is Profile.DEVELOPMENT
    assert settings.host == "127.0.0.1"
    assert settings.jwt_secret.get_secret_value() == DEVELOPMENT_SECRET


def test_settings_come_from_prefixed_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRINTSTALL_SERVER_PROFILE", "production")
    monkeypatch.setenv("PRINTSTALL_SERVER_JWT_SECRET", SECRET)
    monkeypatch.setenv("PRINTSTALL_SERVER_DATABASE_URL", DB)
    monkeypatch.setenv("PRINTSTALL_SERVER_UNIX_SOCKET", "/run/printstall/sock")
    settings = Settings()
    assert settings.profile is Profile.PRODUCTION
    assert settings.unix_socket == "/run/printstall/sock"
    assert settings.migration_url == DB
    assert SECRET not in repr(settings) and "pw" not in repr(settings)


@pytest.mark.parametrize("profile", ["staging", "production"])
@pytest.mark.parametrize(
    ("secret", "message"),
    [(DEVELOPMENT_SECRET, "must be set"), ("short", "at least 32"), (None, "must be set")],
)
def test_staging_and_production_refuse_a_public_or_short_secret(
    monkeypatch: pytest.MonkeyPatch, profile: str, secret: str | None, message: str
) -> None:
    monkeypatch.setenv("PRINTSTALL_SERVER_PROFILE", profile)
    monkeypatch.setenv("PRINTSTALL_SERVER_DATABASE_URL", DB)
    if secret is not None:
        monkeypatch.setenv("PRINTSTALL_SERVER_JWT_SECRET", secret)
    with pytest.raises(ValidationError, match=message):
        Settings()


def test_production_needs_a_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRINTSTALL_SERVER_PROFILE", "production")
    monkeypatch.setenv("PRINTSTALL_SERVER_JWT_SECRET", SECRET)
    with pytest.raises(ValidationError, match="DATABASE_URL must be set"):
        Settings()


def test_an_unknown_profile_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRINTSTALL_SERVER_PROFILE", "prod")
    with pytest.raises(ValidationError):
        Settings()
