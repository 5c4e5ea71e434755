"""The sync endpoints of SYNC.md: `GET /v1/sync/state`, `POST /v1/sync/push`, `GET /v1/sync/pull`.

The database work runs on the thread pool (the engine is synchronous), each request in one transaction of
sync.server.db for the authenticated owner.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from sync import protocol
from sync.server import sync_service
from sync.server.access_tokens import Owner
from sync.server.db import owner_transaction
from sync.server.observability import PULL_ROWS, PUSH_ROWS


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def _read_capped(request: Request) -> bytes:
    """The request body, refused with 413 past the batch byte limit (without reading the rest)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > protocol.MAX_BYTES:
        raise HTTPException(413, f"A push batch may hold at most {protocol.MAX_BYTES} bytes; split it.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > protocol.MAX_BYTES:
            raise HTTPException(413, f"A push batch may hold at most {protocol.MAX_BYTES} bytes; split it.")
    return bytes(body)


def _inlined(schema: Any, defs: dict[str, Any]) -> Any:
    """`schema` with every `{"$ref": "#/$defs/X"}` replaced by X itself (the models are not recursive)."""
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inlined(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inlined(value, defs) for key, value in schema.items() if key != "$defs"}
    if isinstance(schema, list):
        return [_inlined(item, defs) for item in schema]
    return schema


def push_request_schema() -> dict[str, Any]:
    """The push body's JSON schema for the OpenAPI document: self-contained (pydantic's `#/$defs/...`
    references would point into the document's root, where nothing is), and `batch_id` marked as the UUID
    the route requires."""
    schema = protocol.PushRequest.model_json_schema()
    inlined: dict[str, Any] = _inlined(schema, schema.get("$defs", {}))
    inlined["properties"]["batch_id"]["format"] = "uuid"
    return inlined


def make_router() -> APIRouter:
    """The sync routes, each authenticated by `current_owner` (sync.server.access_tokens)."""
    router = APIRouter(prefix="/v1/sync", tags=["sync"])

    @router.get("/state", response_model=protocol.SyncState)
    def state(owner: Owner, request: Request) -> protocol.SyncState:
        return protocol.SyncState(
            protocol=protocol.PROTOCOL,
            schema_version=request.app.state.schema_version,
            max_rows=protocol.MAX_ROWS,
            max_bytes=protocol.MAX_BYTES,
            server_time_ms=sync_service.now_ms(),
        )

    @router.post(
        "/push",
        response_model=protocol.PushResponse,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": push_request_schema()}},
            }
        },
    )
    async def push(owner: Owner, request: Request) -> protocol.PushResponse:
        body = await _read_capped(request)
        try:
            batch = protocol.PushRequest.model_validate_json(body)
        except ValidationError as error:
            # Without the input: a body that is not UTF-8 would make the 422 itself fail (FastAPI decodes
            # bytes as UTF-8 to show them), and echoing up to 4 MB back helps nobody.
            raise RequestValidationError(error.errors(include_url=False, include_input=False)) from None
        try:
            uuid.UUID(batch.batch_id)
        except ValueError:
            raise HTTPException(422, "batch_id must be a UUID.") from None
        if len(batch.records) + len(batch.ledger) > protocol.MAX_ROWS:
            raise HTTPException(413, f"A push batch may hold at most {protocol.MAX_ROWS} rows; split it.")
        engine = _engine(request)

        def work() -> protocol.PushResponse:
            with owner_transaction(engine, owner) as conn:
                return sync_service.push(conn, owner, batch)

        answer = await run_in_threadpool(work)
        PUSH_ROWS.inc(len(batch.records) + len(batch.ledger))
        return answer

    @router.get("/pull", response_model=protocol.PullResponse)
    def pull(
        owner: Owner,
        request: Request,
        cursor: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=protocol.MAX_PULL_LIMIT)] = protocol.DEFAULT_PULL_LIMIT,
    ) -> protocol.PullResponse:
        with owner_transaction(_engine(request), owner, read_only=True) as conn:
            page = sync_service.pull(conn, owner, cursor, limit)
        PULL_ROWS.inc(len(page.records) + len(page.ledger))
        return page

    return router
