"""The cloud service's ASGI app (`create_app`) and the `printstall-server` command.

Every `/v1/` request must carry `Printstall-Protocol: 1` (426 otherwise, telling the user to update the app);
authenticated endpoints take their owner from `current_owner` (sync.server.access_tokens).
"""

from __future__ import annotations

import argparse
from typing import Annotated

from alembic.script import ScriptDirectory
from fastapi import Depends, FastAPI, Header, HTTPException
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool

from core.db import migrate
from sync import protocol
from sync.server import sync_api
from sync.server.access_tokens import current_owner
from sync.server.config import Settings
from sync.server.db import create_db_engine

__all__ = ["create_app", "current_owner", "main"]

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


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title="Printstall sync service", version=str(protocol.PROTOCOL))
    app.state.settings = settings
    app.state.engine = engine if engine is not None else create_db_engine(settings)
    app.state.schema_version = core_schema_version()
    app.include_router(sync_api.make_router(), dependencies=[Depends(require_protocol)])
    return app


def _migrate(settings: Settings) -> None:
    engine = create_engine(settings.migration_url, poolclass=NullPool)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    """`printstall-server [serve]` runs the service; `printstall-server migrate` brings the database up."""
    parser = argparse.ArgumentParser(prog="printstall-server", description=__doc__)
    parser.add_argument("command", nargs="?", choices=["serve", "migrate"], default="serve")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "migrate":
        _migrate(settings)
        return
    import uvicorn

    app = create_app(settings)
    if settings.unix_socket:
        uvicorn.run(app, uds=settings.unix_socket, log_level=settings.log_level)
    else:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level)
