"""The cloud service's ASGI app (`create_app`) and the `printstall-server` command.

Every `/v1/` request must carry `Printstall-Protocol: 1` (426 otherwise, telling the user to update the app);
authenticated endpoints take their owner from `current_owner` (sync.server.access_tokens), which checks the
token with the app's one `AccountService` (`app.state.accounts`, built by `account_service`).
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from alembic.script import ScriptDirectory
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from core.db import migrate
from sync import protocol
from sync.server import (
    accounts_api,
    blobs_api,
    cleanup,
    maintenance_api,
    observability,
    request_limits,
    sync_api,
)
from sync.server.access_tokens import account_keys, current_owner
from sync.server.accounts.errors import AccountError
from sync.server.accounts.mailer import ConsoleMailer, FileMailer, Mailer, ResendMailer
from sync.server.accounts.pg import PostgresRepository
from sync.server.accounts.service import AccountService
from sync.server.config import Profile, Settings
from sync.server.db import create_db_engine
from sync.server.storage import BlobStore

__all__ = ["account_service", "create_app", "current_owner", "main"]

UPDATE_THE_APP = (
    "This version of Printstall speaks a sync protocol the service does not know; update Printstall to keep "
    "syncing."
)


def require_protocol(
    printstall_protocol: Annotated[str | None, Header(alias=protocol.PROTOCOL_HEADER)] = None,
) -> None:
    if printstall_protocol != str(protocol.PROTOCOL):
        raise HTTPException(426, UPDATE_THE_APP, headers={"Upgrade": f"printstall/{protocol.PROTOCOL}"})


def core_schema_version() -> str:
    """The head of the `core` migration branch: the local schema a client must have before it syncs."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    for head in script.get_heads():
        revision = script.get_revision(head)
        if revision is not None and "core" in revision.branch_labels:
            return head
    raise RuntimeError("the migrations have no `core` branch")


def health(request: Request) -> JSONResponse:
    """`GET /healthz`: 200 `{"database": "ok", "storage": "ok"}`, or 503 with "down" for what failed."""
    engine: Engine = request.app.state.engine
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        database = "down"
    try:
        storage = "ok" if blobs_api.blob_store(request).reachable() else "down"
    except Exception:  # a store that cannot even be made (bad endpoint) is storage that is down
        storage = "down"
    body = {"database": database, "storage": storage}
    return JSONResponse(body, status_code=200 if database == storage == "ok" else 503)


def mailer_from_settings(settings: Settings) -> Mailer:
    """Development: .eml files in `mail_folder` when set, else the console; otherwise Resend (key in env)."""
    if settings.profile is Profile.DEVELOPMENT:
        if settings.mail_folder is not None:
            return FileMailer(settings.mail_folder, settings.mail_sender)
        return ConsoleMailer()
    return ResendMailer.from_env(settings.mail_sender)


def account_service(settings: Settings, engine: Engine, mailer: Mailer | None = None) -> AccountService:
    """The accounts of the service: PostgreSQL, the configured mailer, keys derived from the JWT secret."""
    return AccountService(
        PostgresRepository(engine),
        mailer if mailer is not None else mailer_from_settings(settings),
        account_keys(settings),
        audience=settings.jwt_audience,
        access_lifetime=timedelta(seconds=settings.access_token_ttl_s),
    )


def create_app(
    settings: Settings | None = None,
    engine: Engine | None = None,
    blob_store: BlobStore | None = None,
    accounts: AccountService | None = None,
) -> FastAPI:
    """The app; the S3 store is made from the settings on first use unless `blob_store` is given, and the
    accounts are built from the settings unless `accounts` is given (tests pass cheaper hashing, limits)."""
    settings = settings or Settings()
    app = FastAPI(title="Printstall sync service", version=str(protocol.PROTOCOL))
    app.state.settings = settings
    app.state.engine = engine if engine is not None else create_db_engine(settings)
    app.state.blob_store = blob_store
    app.state.accounts = accounts if accounts is not None else account_service(settings, app.state.engine)
    app.state.schema_version = core_schema_version()
    app.state.request_limiter = request_limits.limiter_from_settings(settings, app.state.engine)
    app.add_exception_handler(AccountError, accounts_api.account_error_response)
    app.include_router(accounts_api.make_router(), dependencies=[Depends(require_protocol)])
    # The authenticated routers: the user goes on the access line and counts against the request limit.
    authenticated = [
        Depends(require_protocol),
        Depends(observability.record_user),
        Depends(request_limits.limit_requests),
    ]
    app.include_router(sync_api.make_router(), dependencies=authenticated)
    app.include_router(blobs_api.make_router(), dependencies=authenticated)
    app.include_router(maintenance_api.make_router(), dependencies=authenticated)
    app.add_api_route("/healthz", health, methods=["GET"], include_in_schema=False)
    observability.instrument(app)
    return app


def _migrate(settings: Settings) -> None:
    engine = create_engine(settings.migration_url, poolclass=NullPool)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    """`printstall-server [serve]` runs the service; `printstall-server migrate` brings the database up;
    `printstall-server dev [--data DIR] [--port N]` runs the service with its own PostgreSQL and S3;
    `printstall-server maintenance` runs the daily cleanup (sync.server.cleanup) and prints one line."""
    parser = argparse.ArgumentParser(prog="printstall-server", description=__doc__)
    parser.add_argument(
        "command", nargs="?", choices=["serve", "migrate", "dev", "maintenance"], default="serve"
    )
    parser.add_argument("--data", type=Path, help="dev: the folder of the local stack's data")
    parser.add_argument("--port", type=int, help="dev: the service's port on 127.0.0.1 (default 8080)")
    args = parser.parse_args(argv)
    if args.command == "dev":
        from sync.server import devstack

        folder = args.data if args.data is not None else devstack.default_dev_folder()
        devstack.run_dev_stack(folder, args.port if args.port is not None else devstack.DEV_PORT)
        return
    settings = Settings()
    if args.command == "migrate":
        _migrate(settings)
        return
    if args.command == "maintenance":
        raise SystemExit(cleanup.maintenance_command(settings))
    import uvicorn

    observability.configure_logging(settings)
    app = create_app(settings)
    # log_config=None keeps the JSON logging above; our access line replaces uvicorn's.
    logs: dict[str, Any] = {"log_config": None, "access_log": False, "log_level": settings.log_level}
    if settings.unix_socket:
        uvicorn.run(app, uds=settings.unix_socket, **logs)
    else:
        uvicorn.run(app, host=settings.host, port=settings.port, **logs)


if __name__ == "__main__":
    main()
