"""Every operation of the service's OpenAPI schema, fuzzed by schemathesis: no input makes it answer 5xx.

The app runs on a real PostgreSQL (one migrated database for the module) and a real S3 (weed mini), with a
signed-up user whose valid access token and the protocol header go with every generated call, so the calls
reach the routes' own code rather than stopping at authentication.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import URL, Engine, create_engine
from sqlalchemy.pool import NullPool

from core.db import migrate
from sync import protocol
from sync.server.app import create_app
from sync.server.config import Settings
from sync.server.devstack import S3Server
from sync.server.storage import BlobStore
from tests.server.conftest import DEVICE, mailed_accounts

pytestmark = [pytest.mark.postgres, pytest.mark.s3]

SECRET = "a-test-secret-that-is-long-enough-0123456789"
EMAIL = "fuzz@example.com"
PASSWORD = "a long and unguessable fuzzing password"


@pytest.fixture(scope="module")
def fuzz_db(pg_server: URL) -> Iterator[Engine]:
    """One migrated database for the module (one per operation would cost more than the fuzzing does)."""
    name = f"printstall_fuzz_{uuid.uuid4().hex}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = pg_server.set(database=name)
    migrator = create_engine(url, poolclass=NullPool)
    migrate.upgrade(migrator)
    migrator.dispose()
    engine = create_engine(url, pool_size=4)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="module")
def fuzzed(
    fuzz_db: Engine, s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Any, dict[str, str]]:
    """The app (on the module's database and the session's S3) and the headers of a signed-up user."""
    app_settings = Settings(jwt_secret=SECRET)
    mail = Path(tmp_path_factory.mktemp("fuzz-mail"))
    accounts = mailed_accounts(fuzz_db, app_settings, mail)
    app = create_app(
        app_settings, engine=fuzz_db, blob_store=BlobStore(s3_server.settings), accounts=accounts
    )
    accounts.register(EMAIL, PASSWORD, address="127.0.0.1")
    [message] = mail.glob("*.eml")
    code = re.search(rb"Subject:.*:\s*(\S+)\s*$", message.read_bytes(), re.MULTILINE)
    assert code is not None
    session = accounts.verify_email(EMAIL, code.group(1).decode(), device_id=DEVICE)
    headers = {"Authorization": f"Bearer {session.access_token}", protocol.PROTOCOL_HEADER: "1"}
    return app, headers


# The schema the cases are generated from, read at collection time from an app that never connects (its
# engine is never used); the calls go to the module's app on the real database and storage. (Loading the
# schema from a fixture, `schemathesis.pytest.from_fixture`, fails under pytest 9.2 in schemathesis 4.32.)
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(jwt_secret=SECRET), engine=create_engine("postgresql+psycopg://"))
)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)
def test_no_input_makes_an_operation_fail_with_a_server_error(
    case: Any, fuzzed: tuple[Any, dict[str, str]]
) -> None:
    app, headers = fuzzed
    case.call_and_validate(app=app, headers=headers, checks=[not_a_server_error])
