"""The service's settings: environment variables, profiles, and no public secret outside development."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from pydantic import ValidationError

from sync.server.access_tokens import access_tokens, issue_access_token
from sync.server.accounts.errors import InvalidAccessToken
from sync.server.config import DEVELOPMENT_SECRET, Profile, Settings

SECRET = "s" * 40
DB = "postgresql+psycopg://svc:pw@db.internal/printstall"
S3 = {
    "PRINTSTALL_SERVER_S3_ENDPOINT_URL": "https://account.r2.example.com",
    "PRINTSTALL_SERVER_S3_ACCESS_KEY": "key-id",
    "PRINTSTALL_SERVER_S3_SECRET_KEY": "key-secret",
}


def with_storage(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in S3.items():
        monkeypatch.setenv(name, value)


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
    with_storage(monkeypatch)
    settings = Settings()
    assert settings.profile is Profile.PRODUCTION
    assert settings.unix_socket == "/run/printstall/sock"
    assert settings.migration_url == DB
    assert SECRET not in repr(settings) and "pw" not in repr(settings) and "key-secret" not in repr(settings)


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


@pytest.mark.parametrize("missing", sorted(S3))
def test_staging_and_production_need_the_bucket_and_its_keys(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.setenv("PRINTSTALL_SERVER_PROFILE", "staging")
    monkeypatch.setenv("PRINTSTALL_SERVER_JWT_SECRET", SECRET)
    monkeypatch.setenv("PRINTSTALL_SERVER_DATABASE_URL", DB)
    with_storage(monkeypatch)
    monkeypatch.delenv(missing)
    with pytest.raises(ValidationError, match=missing.removeprefix("PRINTSTALL_SERVER_")):
        Settings()


def test_a_short_previous_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="PREVIOUS_SECRET must be at least"):
        Settings(jwt_previous_secret="short")


def test_access_tokens_last_the_configured_time() -> None:
    settings = Settings(jwt_secret=SECRET, access_token_ttl_s=120)
    claims = access_tokens(settings).decode(issue_access_token(settings, str(uuid.uuid4())))
    assert claims.expires_at - claims.issued_at == timedelta(seconds=120)


def test_rotating_the_secret_keeps_tokens_of_the_previous_one_until_they_expire() -> None:
    old = Settings(jwt_secret=SECRET)
    token = issue_access_token(old, str(uuid.uuid4()))
    rotated = Settings(jwt_secret="n" * 40, jwt_previous_secret=SECRET)
    assert access_tokens(rotated).decode(token).user_id  # still accepted
    done = Settings(jwt_secret="n" * 40)  # the previous secret removed after the token lifetime
    with pytest.raises(InvalidAccessToken):
        access_tokens(done).decode(token)


def test_a_token_for_another_audience_is_refused() -> None:
    token = issue_access_token(Settings(jwt_secret=SECRET, jwt_audience="another-service"), str(uuid.uuid4()))
    with pytest.raises(InvalidAccessToken):
        access_tokens(Settings(jwt_secret=SECRET)).decode(token)
