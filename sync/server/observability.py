"""The service's logs and metrics: request ids, one JSON access line per request, Prometheus `/metrics`.

- Request ids: `asgi-correlation-id` takes `X-Request-ID` from the request when it is a UUID, makes one
  otherwise, returns it in the response header and puts it on every log line of the request (`request_id`).
- Access log: one line per request on the logger `printstall.access` with request_id, method, route (the
  route template such as `/v1/blobs/{sha256}`, never the raw path), status, duration_ms and, on the
  authenticated routes, user_id. Never emails, tokens, query strings or bodies.
- Metrics: `prometheus-fastapi-instrumentator` counts requests and times them by method, route template and
  status into a registry of the app's own (so several apps in one process do not collide); `/metrics` serves
  it together with the process-wide registry, which holds the domain counters below (incremented by the
  routes) and the process metrics. `/metrics` is outside the OpenAPI schema. With `metrics_token` set it
  requires `Authorization: Bearer <token>` (401 otherwise); unset, it is open in development and answers 404
  in staging and production, so a forgotten token never publishes the metrics.

`configure_logging(settings)` (called by `printstall-server`, not by `create_app`) writes JSON lines to stderr
for the service's loggers; uvicorn's own access log is switched off in favour of ours.
"""

from __future__ import annotations

import hmac
import logging
import sys
import time
import uuid
from collections.abc import Iterable
from typing import IO, Any

from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_fastapi_instrumentator import Instrumentator, metrics
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.server.access_tokens import Owner
from sync.server.config import Profile, Settings

ACCESS_LOGGER = "printstall.access"
REQUEST_ID_HEADER = "X-Request-ID"
METRICS_PATH = "/metrics"
# The loggers whose lines `configure_logging` writes as JSON (their children follow them).
SERVICE_LOGGERS = ("printstall", "sync", "uvicorn", "asgi_correlation_id")
# Where the authenticated user's id is kept in the ASGI scope for the access line.
_USER_SCOPE_KEY = "printstall.user_id"
_HANDLER_MARK = "_printstall_json_handler"

access_log = logging.getLogger(ACCESS_LOGGER)

# Domain counters, process-wide (incremented by the routes; served by every app's `/metrics`).
PUSH_ROWS = Counter("printstall_push_rows_total", "Rows (records and ledger rows) received by push.")
PULL_ROWS = Counter("printstall_pull_rows_total", "Rows sent by pull.")
REQUESTS_LIMITED = Counter(
    "printstall_requests_limited_total", "Requests refused with 429 by the per-user request limit."
)


# Logs


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> None:
    """JSON lines on `stream` (stderr) for the service's loggers at `settings.log_level`; calling it again
    replaces the handler instead of adding a second one. uvicorn's access logger is silenced."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],  # uvicorn's copy of the message for terminals
        )
    )
    handler.addFilter(_add_request_id)
    setattr(handler, _HANDLER_MARK, True)
    level = settings.log_level.upper()
    for name in SERVICE_LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if getattr(h, _HANDLER_MARK, False)]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
    # uvicorn.error and uvicorn.asgi go to the `uvicorn` handler above; the access line is ours.
    for name in ("uvicorn.error", "uvicorn.asgi"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
    uvicorn_access.disabled = True


def _add_request_id(record: logging.LogRecord) -> bool:
    """Log filter: the current request's id on every line logged while it is handled."""
    if not hasattr(record, "request_id"):
        record.request_id = correlation_id.get()
    return True


def record_user(request: Request, owner: Owner) -> None:
    """Router dependency: remember the authenticated user's id for the access line."""
    request.scope[_USER_SCOPE_KEY] = owner


def route_template(scope: Scope) -> str | None:
    """The template of the route that handled the request (`/v1/blobs/{sha256}`), None when none matched."""
    route = scope.get("route")
    if route is None:  # FastAPI names only its own routes in the scope (not /openapi.json, /docs)
        app = scope.get("app")
        for candidate in getattr(app, "routes", ()):
            match, _child = candidate.matches(scope)
            if match is Match.FULL:
                route = candidate
                break
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path if isinstance(path, str) else None


class AccessLogMiddleware:
    """Pure ASGI middleware: one `printstall.access` line per HTTP request, after the response is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            fields: dict[str, Any] = {
                "request_id": correlation_id.get(),
                "method": scope.get("method"),
                "route": route_template(scope),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            }
            user_id = scope.get(_USER_SCOPE_KEY)
            if user_id is not None:
                fields["user_id"] = user_id
            access_log.info("request", extra=fields)


# Metrics


class _ProcessMetrics:
    """The process-wide registry (domain counters, process and GC metrics) as a collector of an app's own
    registry, so `/metrics` serves both in one exposition."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def metrics_registry() -> CollectorRegistry:
    """A fresh registry for one app's request metrics that also serves the process-wide ones."""
    registry = CollectorRegistry()
    registry.register(_ProcessMetrics())
    return registry


def _metrics_allowed(settings: Settings, authorization: str | None) -> int | None:
    """None when the caller may read the metrics, else the status to answer (404 or 401)."""
    if settings.metrics_token is None:
        return None if settings.profile is Profile.DEVELOPMENT else 404
    expected = f"Bearer {settings.metrics_token.get_secret_value()}".encode()
    given = (authorization or "").encode()
    return None if hmac.compare_digest(given, expected) else 401


def metrics_endpoint(request: Request) -> Response:
    """`GET /metrics`: the Prometheus text exposition of the app's and the process's metrics."""
    refused = _metrics_allowed(request.app.state.settings, request.headers.get("authorization"))
    if refused == 404:
        return Response(status_code=404, content='{"detail":"Not Found"}', media_type="application/json")
    if refused is not None:
        return Response(
            status_code=401,
            content='{"detail":"The metrics need the metrics token."}',
            media_type="application/json",
            headers={"WWW-Authenticate": "Bearer"},
        )
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(content=generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def instrument(app: FastAPI) -> None:
    """Add request ids, the access log and request metrics to `app`, and serve `/metrics`.

    Call it after the routes are added and before anything else adds middleware: the request-id middleware
    is added last, so it is the outermost and every other layer sees the id.
    """
    registry = metrics_registry()
    app.state.metrics_registry = registry
    instrumentator = Instrumentator(
        should_group_status_codes=False,
        should_ignore_untemplated=False,
        should_group_untemplated=True,  # unknown paths count as handler "none", not one series per path
        excluded_handlers=[f"^{METRICS_PATH}$"],
        registry=registry,
    )
    instrumentator.add(metrics.requests(registry=registry))
    instrumentator.add(metrics.latency(registry=registry))
    app.add_middleware(AccessLogMiddleware)
    instrumentator.instrument(app)
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=REQUEST_ID_HEADER,
        generator=lambda: str(uuid.uuid4()),
    )
    app.add_api_route(METRICS_PATH, metrics_endpoint, methods=["GET"], include_in_schema=False)
