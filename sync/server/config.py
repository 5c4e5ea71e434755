"""The cloud service's configuration: environment variables `PRINTSTALL_SERVER_*` (12-factor), with profiles.

- development: defaults that work on a laptop (the insecure development secret, a local database);
- staging and production: the JWT secret, the database URL, the S3 endpoint and its keys must be set, and
  the secret must not be the development one nor shorter than 32 characters; the service refuses to start
  otherwise.

docs/deploy.md lists every variable; .env.example is a starting point.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "printstall-development-secret-do-not-use-in-production"
DEVELOPMENT_DATABASE_URL = "postgresql+psycopg://127.0.0.1:5432/printstall"
DEVELOPMENT_S3_ENDPOINT = "http://127.0.0.1:8333"
MIN_SECRET_LENGTH = 32
DEFAULT_QUOTA_BYTES = 5 * 1024**3


class Profile(StrEnum):
    DEVELOPMENT = "development"
    STAGING = "staging"
    PRODUCTION = "production"


class ConfigError(ValueError):
    """The configuration cannot be used for the chosen profile."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRINTSTALL_SERVER_", extra="ignore")

    profile: Profile = Profile.DEVELOPMENT
    # SQLAlchemy URL of the service's login role (which is granted printstall_app and printstall_auth).
    database_url: SecretStr = SecretStr(DEVELOPMENT_DATABASE_URL)
    # The URL migrations run with (a role that owns the tables); the service's own URL when unset.
    migrate_database_url: SecretStr | None = None
    db_pool_size: int = Field(default=10, ge=1)
    db_pool_max_overflow: int = Field(default=5, ge=0)
    db_pool_timeout_s: float = Field(default=10.0, gt=0)
    jwt_secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    # The previous secret while rotating: tokens it signed stay valid until they expire (docs/deploy.md).
    jwt_previous_secret: SecretStr | None = None
    jwt_audience: str = "printstall-sync"
    # How long an access token lasts; the app renews it with its refresh token a minute before.
    access_token_ttl_s: int = Field(default=600, ge=60, le=3600)
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # When set, uvicorn listens on this unix socket instead of host:port.
    unix_socket: str | None = None
    log_level: str = "info"
    # The users' files: an S3-compatible endpoint (R2 in production, SeaweedFS's `weed mini` in development).
    s3_endpoint_url: str = DEVELOPMENT_S3_ENDPOINT
    s3_access_key: SecretStr = SecretStr("")
    s3_secret_key: SecretStr = SecretStr("")
    s3_bucket: str = "printstall"
    s3_region: str = "auto"
    # How many bytes of files one user may store; uploads that would pass it are refused with 413.
    quota_bytes: int = Field(default=DEFAULT_QUOTA_BYTES, ge=0)
    # The accounts' emails: in development written as .eml files into this folder when set, else printed to
    # the console; in staging and production sent through Resend (its key from RESEND_API_KEY).
    mail_folder: Path | None = None
    mail_sender: str = "Printstall <no-reply@printstall.app>"
    # Requests per user per minute on the sync and blob routes (429 with Retry-After past it); 0: no limit.
    requests_per_minute: int = Field(default=1200, ge=0)
    # The bearer token `GET /metrics` requires. Unset: open in development, 404 in staging and production.
    metrics_token: SecretStr | None = None

    @model_validator(mode="after")
    def _safe_for_profile(self) -> Settings:
        previous = self.jwt_previous_secret
        if previous is not None and len(previous.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"PRINTSTALL_SERVER_JWT_PREVIOUS_SECRET must be at least {MIN_SECRET_LENGTH} characters."
            )
        if self.profile is Profile.DEVELOPMENT:
            return self
        secret = self.jwt_secret.get_secret_value()
        if secret == DEVELOPMENT_SECRET:
            raise ConfigError(
                f"PRINTSTALL_SERVER_JWT_SECRET must be set in the {self.profile.value} profile; "
                "the development secret is public."
            )
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"PRINTSTALL_SERVER_JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters."
            )
        if self.database_url.get_secret_value() == DEVELOPMENT_DATABASE_URL:
            raise ConfigError(
                f"PRINTSTALL_SERVER_DATABASE_URL must be set in the {self.profile.value} profile."
            )
        if self.s3_endpoint_url == DEVELOPMENT_S3_ENDPOINT:
            raise ConfigError(
                f"PRINTSTALL_SERVER_S3_ENDPOINT_URL must be set in the {self.profile.value} profile."
            )
        if not self.s3_access_key.get_secret_value() or not self.s3_secret_key.get_secret_value():
            raise ConfigError(
                "PRINTSTALL_SERVER_S3_ACCESS_KEY and PRINTSTALL_SERVER_S3_SECRET_KEY must be set in the "
                f"{self.profile.value} profile."
            )
        return self

    @property
    def migration_url(self) -> str:
        url = self.migrate_database_url or self.database_url
        return url.get_secret_value()
