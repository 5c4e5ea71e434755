"""The development S3 server: weed mini listens on loopback only and stops with everything it opened."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sync.server.devstack import S3Server, listening_ports, loopback_violations, start_s3
from sync.server.storage import S3Settings
from tests.s3 import TEST_S3_URL_ENV

pytestmark = pytest.mark.s3

linux_only = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc/net/tcp")


@linux_only
def test_session_server_listens_on_loopback_only(s3_server: S3Server) -> None:
    if s3_server.pid is None:
        pytest.skip(f"{TEST_S3_URL_ENV} names an S3 server this session did not start")
    ports = listening_ports(s3_server.pid)
    # master, volume, filer, S3 and admin, each with its gRPC port; nothing else (no WebDAV, Iceberg, Lance).
    assert len(ports) == 10, ports
    assert {address for address, _port in ports} == {"127.0.0.1"}
    assert set(s3_server.ports.values()) == {port for _address, port in ports}
    assert loopback_violations(s3_server.pid) == []


def test_url_round_trips_through_settings(s3_server: S3Server) -> None:
    settings = S3Settings.from_url(s3_server.url)
    assert settings == s3_server.settings


@linux_only
def test_start_and_stop_leave_nothing_behind(tmp_path: Path) -> None:
    if os.environ.get(TEST_S3_URL_ENV):
        pytest.skip(f"{TEST_S3_URL_ENV} is set: this run does not start weed")
    server = start_s3(tmp_path / "weed", bucket="stop-test")
    try:
        assert server.process is not None
        pid = server.pid
        assert pid is not None
        ports = {port for _address, port in listening_ports(pid)}
        assert ports == set(server.ports.values())
    finally:
        server.stop()  # whatever failed above, no weed outlives the test
    server.stop()  # a second stop does nothing
    assert server.process.returncode is not None
    assert not Path(f"/proc/{pid}").exists()
    still_listening = {int(line.split()[1].split(":")[1], 16) for line in _listen_lines()}
    assert not ports & still_listening
    tmp = Path(os.environ.get("TMPDIR") or "/tmp")
    assert not [p for p in tmp.glob("seaweedfs-*-grpc-*.sock") if int(p.stem.rsplit("-", 1)[1]) in ports]
    shutil.rmtree(tmp_path / "weed")


def _listen_lines() -> list[str]:
    lines = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if Path(table).exists():
            lines += [line for line in Path(table).read_text().splitlines()[1:] if line.split()[3] == "0A"]
    return lines
