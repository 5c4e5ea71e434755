"""Request ids, the JSON access log and `/metrics`: what a request leaves in the logs (and what it never
does), the route-template metrics, token protection of `/metrics`, and several apps in one process."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool

from sync.server.accounts.mailer import ConsoleMailer
from sync.server.app import account_service, create_app
from sync.server.config import Profile, Settings
from sync.server.devstack import free_ports
from sync.server.observability import ACCESS_LOGGER, SERVICE_LOGGERS, configure_logging
from tests.server.conftest import batch, clock, new_id, tag_change

Headers = Callable[[str], dict[str, str]]
SECRET = "a-test-secret-that-is-long-enough-0123456789"
METRICS_TOKEN = "scrape-me-0123456789"


def access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == ACCESS_LOGGER]


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What `configure_logging` writes, with the loggers put back as they were afterwards."""
    saved = {}
    for name in (*SERVICE_LOGGERS, "uvicorn.error", "uvicorn.asgi", "uvicorn.access"):
        logger = logging.getLogger(name)
        saved[name] = (list(logger.handlers), logger.level, logger.propagate, logger.disabled)
    stream = io.StringIO()
    configure_logging(Settings(jwt_secret=SECRET), stream=stream)
    try:
        yield stream
    finally:
        for name, (handlers, level, propagate, disabled) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = propagate
            logger.disabled = disabled


def offline_engine() -> Engine:
    """An engine on a port nothing listens on: apps that never reach the database in the test."""
    return create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_ports(1)[0]}/none", poolclass=NullPool)


def offline_app(settings: Settings) -> TestClient:
    engine = offline_engine()
    accounts = account_service(settings, engine, mailer=ConsoleMailer())  # production would need Resend
    return TestClient(create_app(settings, engine=engine, accounts=accounts))


def metric_lines(text: str, name: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(name + "{") or line.startswith(name + " ")]


@pytest.mark.postgres
def test_a_request_gets_an_id_in_its_answer_and_its_access_line(
    client: TestClient, headers_for: Headers, caplog: pytest.LogCaptureFixture
) -> None:
    owner = new_id()
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        response = client.get("/v1/sync/state", headers=headers_for(owner))
    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    assert str(uuid.UUID(request_id)) == request_id
    [line] = access_records(caplog)
    assert line.request_id == request_id  # type: ignore[attr-defined]
    assert line.method == "GET"  # type: ignore[attr-defined]
    assert line.route == "/v1/sync/state"  # type: ignore[attr-defined]
    assert line.status == 200  # type: ignore[attr-defined]
    assert line.user_id == owner  # type: ignore[attr-defined]
    assert line.duration_ms >= 0  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_a_given_request_id_is_echoed_and_an_invalid_one_replaced(
    client: TestClient, headers_for: Headers, caplog: pytest.LogCaptureFixture
) -> None:
    given = str(uuid.uuid4())
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        echoed = client.get("/v1/sync/state", headers={**headers_for(new_id()), "X-Request-ID": given})
        replaced = client.get("/v1/sync/state", headers={**headers_for(new_id()), "X-Request-ID": "<script>"})
    assert echoed.headers["X-Request-ID"] == given
    assert replaced.headers["X-Request-ID"] != "<script>"
    uuid.UUID(replaced.headers["X-Request-ID"])
    ids = [record.request_id for record in access_records(caplog)]  # type: ignore[attr-defined]
    assert ids == [given, replaced.headers["X-Request-ID"]]


@pytest.mark.postgres
def test_the_access_line_names_the_route_template_not_the_path(
    client: TestClient, headers_for: Headers, caplog: pytest.LogCaptureFixture
) -> None:
    sha256 = "ab" * 32
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        client.get(f"/v1/blobs/{sha256}", headers=headers_for(new_id()))
        client.get("/v1/sync/pull?cursor=0&limit=5", headers=headers_for(new_id()))
        client.get("/no/such/page?email=maker@example.com")
    routes = [record.route for record in access_records(caplog)]  # type: ignore[attr-defined]
    assert routes == ["/v1/blobs/{sha256}", "/v1/sync/pull", None]


@pytest.mark.postgres
def test_json_log_lines_hold_the_request_but_never_tokens_emails_or_queries(
    client: TestClient, headers_for: Headers, json_log: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    owner = new_id()
    headers = headers_for(owner)
    token = headers["Authorization"].removeprefix("Bearer ")
    bogus = "not-a-real-token-7f3a9c"
    with caplog.at_level(logging.DEBUG):
        ok = client.get("/v1/sync/pull?cursor=0&limit=7", headers=headers)
        refused = client.get("/v1/sync/state", headers={**headers, "Authorization": f"Bearer {bogus}"})
        client.post(
            "/v1/account/login",
            json={"email": "maker@example.com", "password": "teal spools", "device_id": "d"},
            headers={"Printstall-Protocol": "1", "Authorization": f"Bearer {token}"},
        )
    assert ok.status_code == 200
    assert refused.status_code == 401
    text = json_log.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    access = [line for line in lines if line["logger"] == ACCESS_LOGGER]
    assert [line["request_id"] for line in access[:2]] == [
        ok.headers["X-Request-ID"],
        refused.headers["X-Request-ID"],
    ]
    assert access[0]["user_id"] == owner
    assert access[0]["route"] == "/v1/sync/pull"
    assert "user_id" not in access[1]  # the token was refused: nobody is authenticated
    # Every attribute of every record the service logged (the test's HTTP client logs its own URLs).
    service = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    everything = text + "".join(f"{r.getMessage()} {vars(r)}" for r in service)
    for secret in (token, bogus, "maker@example.com", "teal spools", "limit=7"):
        assert secret not in everything


@pytest.mark.postgres
def test_metrics_count_requests_by_route_template_and_status(
    client: TestClient, headers_for: Headers
) -> None:
    owner = new_id()
    pushed = client.post(
        "/v1/sync/push", json=batch([tag_change(new_id(), "PLA", clock())]), headers=headers_for(owner)
    )
    assert pushed.status_code == 200
    health = client.get("/healthz")
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    requests = metric_lines(metrics.text, "http_requests_total")
    assert 'http_requests_total{handler="/v1/sync/push",method="POST",status="200"} 1.0' in requests
    assert (
        f'http_requests_total{{handler="/healthz",method="GET",status="{health.status_code}"}} 1.0'
        in requests
    )
    assert not [line for line in requests if 'handler="/metrics"' in line]
    latency = metric_lines(metrics.text, "http_request_duration_seconds_count")
    assert (
        'http_request_duration_seconds_count{handler="/v1/sync/push",method="POST",status="200"} 1.0'
        in latency
    )
    for counter in (
        "printstall_push_rows_total",
        "printstall_pull_rows_total",
        "printstall_requests_limited_total",
    ):
        assert metric_lines(metrics.text, counter), counter


def test_metrics_are_not_in_the_openapi_schema() -> None:
    with offline_app(Settings(jwt_secret=SECRET)) as client:
        assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_several_apps_in_one_process_count_their_own_requests() -> None:
    settings = Settings(jwt_secret=SECRET)
    with offline_app(settings) as first, offline_app(settings) as second:
        first.get("/openapi.json")
        first.get("/openapi.json")
        second.get("/openapi.json")
        first_lines = metric_lines(first.get("/metrics").text, "http_requests_total")
        second_lines = metric_lines(second.get("/metrics").text, "http_requests_total")
    assert 'http_requests_total{handler="/openapi.json",method="GET",status="200"} 2.0' in first_lines
    assert 'http_requests_total{handler="/openapi.json",method="GET",status="200"} 1.0' in second_lines


def _production(**overrides: object) -> Settings:
    return Settings(
        profile=Profile.PRODUCTION,
        jwt_secret=SECRET,
        database_url="postgresql+psycopg://service@db.internal/printstall",
        s3_endpoint_url="https://account.r2.example.com",
        s3_access_key="key-id",
        s3_secret_key="key-secret",
        **overrides,  # type: ignore[arg-type]
    )


def test_metrics_need_the_token_when_one_is_set() -> None:
    with offline_app(_production(metrics_token=METRICS_TOKEN)) as client:
        missing = client.get("/metrics")
        wrong = client.get("/metrics", headers={"Authorization": "Bearer guess"})
        right = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert missing.status_code == wrong.status_code == 401
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    assert right.status_code == 200
    assert "http_requests_total" in right.text


def test_metrics_are_hidden_outside_development_without_a_token() -> None:
    with offline_app(_production()) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404


def test_metrics_are_open_in_development_unless_a_token_is_set() -> None:
    with offline_app(Settings(jwt_secret=SECRET)) as client:
        assert client.get("/metrics").status_code == 200
    with offline_app(Settings(jwt_secret=SECRET, metrics_token=METRICS_TOKEN)) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).status_code == 200


def test_configure_logging_twice_keeps_one_handler(json_log: io.StringIO) -> None:
    configure_logging(Settings(jwt_secret=SECRET), stream=json_log)
    logging.getLogger("printstall.test").warning("once")
    assert json_log.getvalue().count('"once"') == 1
    assert logging.getLogger("uvicorn.access").disabled


def test_metrics_count_the_rows_pushed_and_pulled(client: TestClient, headers_for: Headers) -> None:
    def counted(name: str) -> float:
        [line] = metric_lines(client.get("/metrics").text, name)
        return float(line.split()[-1])

    headers = headers_for(new_id())
    pushed_before = counted("printstall_push_rows_total")
    pulled_before = counted("printstall_pull_rows_total")
    rows = [tag_change(new_id(), name, clock()) for name in ("PLA", "PETG", "TPU")]
    assert client.post("/v1/sync/push", json=batch(rows), headers=headers).status_code == 200
    assert client.get("/v1/sync/pull", params={"cursor": 0}, headers=headers).status_code == 200
    assert counted("printstall_push_rows_total") == pushed_before + 3
    assert counted("printstall_pull_rows_total") == pulled_before + 3
