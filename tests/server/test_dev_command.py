"""`printstall-server dev` as a user runs it: the whole stack starts in a data folder, an account can be made
(its code read from the mail folder), SIGTERM stops every process of the folder, and the next start keeps the
account."""

from __future__ import annotations

import email
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from email.policy import default as default_policy
from pathlib import Path

import httpx
import psutil
import pytest

from sync.server.devstack import free_ports

pytestmark = [pytest.mark.postgres, pytest.mark.s3]

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = {"Printstall-Protocol": "1"}
EMAIL = "maker@example.com"
PASSWORD = "teal spools on the shelf"
DEVICE = "0190aaaa-0000-7000-8000-000000000001"
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 15.0


def processes_of(folder: Path) -> list[psutil.Process]:
    """The processes whose command line names `folder` (the stack's postgres and weed, and the command)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if any(str(folder) in part for part in cmdline):
            found.append(process)
    return found


class DevStack:
    """One `python -m sync.server.app dev` run."""

    def __init__(self, folder: Path, port: int) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PRINTSTALL_SERVER_")}
        self.output = folder.parent / "dev-output.txt"
        with self.output.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sync.server.app", "dev", "--data", str(folder), "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.url = f"http://127.0.0.1:{port}"

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"dev exited with {self.process.returncode}:\n{self.output.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(
            f"dev did not answer /healthz within {START_TIMEOUT_S} s:\n{self.output.read_text()[-3000:]}"
        )

    def post(self, path: str, body: dict[str, str]) -> httpx.Response:
        return httpx.post(f"{self.url}/v1/account/{path}", json=body, headers=PROTOCOL, timeout=10)

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=STOP_TIMEOUT_S)


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    data = tmp_path / "dev-data"
    yield data
    for process in processes_of(data):  # only if the test failed half-way: nothing may outlive it
        process.kill()


def verify_code(mail: Path) -> str:
    [path] = sorted(mail.glob("*verify_email*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    match = re.search(r":\s*(\S+)\s*$", str(message["Subject"]))
    assert match is not None
    return match.group(1)


def test_dev_runs_the_stack_stops_cleanly_and_keeps_its_data(folder: Path) -> None:
    port = free_ports(1)[0]
    first = DevStack(folder, port)
    try:
        first.wait_until_healthy()
        assert first.post("register", {"email": EMAIL, "password": PASSWORD}).status_code == 202
        code = verify_code(folder / "mail")
        verified = first.post("verify", {"email": EMAIL, "code": code, "device_id": DEVICE})
        assert verified.status_code == 200, verified.text
    finally:
        assert first.terminate() == 0
    assert processes_of(folder) == []
    output = first.output.read_text()
    assert f"http://127.0.0.1:{port}" in output
    assert str(folder / "mail") in output

    second = DevStack(folder, port)
    try:
        second.wait_until_healthy()
        login = second.post("login", {"email": EMAIL, "password": PASSWORD, "device_id": DEVICE})
        assert login.status_code == 200, login.text
        bearer = {**PROTOCOL, "Authorization": f"Bearer {login.json()['access_token']}"}
        emptied = httpx.post(f"{second.url}/v1/trash/empty", headers=bearer, timeout=10)
        assert emptied.status_code == 200, emptied.text  # the service role may purge (printstall_purge)
    finally:
        assert second.terminate() == 0
    assert processes_of(folder) == []
