"""The app's side of signing in and syncing: one `SyncController` per window, over sync.client.

- **Who.** The data folder's owner (`workspace.owner_id`) is the signed-in user's id; `LOCAL_OWNER` means
  nobody signed in on it yet. The server address and the email shown are per-install preferences
  (`sync/server_url`, `sync/email`); the refresh token lives in the OS keyring (sync.client.account).
- **Threads.** Every account call (sign in, sign out, codes, passwords, export, delete) runs on one account
  thread, so they happen in the order asked; its result or its one sentence of error comes back on the UI
  thread through a queued signal. The `SyncRunner` has its own thread; its statuses come over a queued
  signal too. Database writes the controller asks for (adopting and releasing the folder's records) go
  through `ctx.ops`, the app's one writer.
- **Refreshing.** A local write (`ops.changed`) asks the runner for a sync soon; a sync that brought rows in
  emits `ops.changed` with every kind, so the tabs reload.

Tests hand in an `httpx.Client` (FastAPI's TestClient is one) for the account calls and the sync transport.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx

from PySide6.QtCore import QObject, Qt, Signal, Slot

from core.errors import PrintstallError
from core.services.ownership import OwnerMismatch, adopt_local_records, release_records
from core.workspace import LOCAL_OWNER
from desktop.context import AppContext
from desktop.ops import KINDS
from desktop.sync.download import download
from sync.client.account import DEFAULT_SERVER_URL, AccountClient, SessionInfo, SignIn
from sync.client.engine import SyncEngine, requeue_rejected
from sync.client.files import ensure_local
from sync.client.runner import DEBOUNCE_S, State, Status, SyncRunner
from sync.client.transport import DEFAULT_TIMEOUT_S, HttpTransport, SignInNeeded, SyncError

log = logging.getLogger(__name__)

SERVER_URL_KEY = "sync/server_url"
EMAIL_KEY = "sync/email"
REFRESH_KINDS = frozenset(KINDS) | {"settings"}  # what a pull or a change of owner may have changed

Done = Callable[[Any], None]
Failed = Callable[[str], None]


def _ignore(_value: object) -> None:
    pass


class SyncController(QObject):
    """Signs in and out, runs the account calls, and keeps the runner going while someone is signed in."""

    status_changed = Signal(object)  # a sync.client.runner.Status
    session_changed = Signal()  # signed in or out
    notice = Signal(str)  # a sentence the window shows without stopping anyone (no keyring, ...)
    _runner_status = Signal(int, object)  # (generation, Status), from the runner's thread
    _finished = Signal(object)  # a call to make on the UI thread, from the account thread

    def __init__(
        self,
        ctx: AppContext,
        *,
        http: httpx.Client | None = None,
        debounce_s: float = DEBOUNCE_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.workspace = ctx.workspace
        self._http_given = http
        self._own_clients: dict[str, httpx.Client] = {}
        self._clients_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="printstall-account")
        # Files only the service has (a mesh made on another computer), fetched when opened.
        self._files_pool = ThreadPoolExecutor(2, thread_name_prefix="printstall-fetch")
        self._closed = False
        self._debounce_s = debounce_s
        self._signin: SignIn | None = None
        self._runner: SyncRunner | None = None
        self._generation = 0  # statuses of a runner that was stopped since are dropped
        self._refreshing = False  # emitting ops.changed after a pull: not a local change
        self._keyring_told = False
        self.status = Status(State.SIGNED_OUT, self.tr("Sign in to sync."))
        self._runner_status.connect(self._on_runner_status, Qt.ConnectionType.QueuedConnection)
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        ctx.ops.changed.connect(self._on_local_change)

    # ---------------------------------------------------------------- what the window reads

    @property
    def signed_in(self) -> bool:
        return self._signin is not None

    @property
    def email(self) -> str:
        return str(self.ctx.settings.value(EMAIL_KEY, "") or "")

    @property
    def server_url(self) -> str:
        return str(self.ctx.settings.value(SERVER_URL_KEY, DEFAULT_SERVER_URL) or DEFAULT_SERVER_URL)

    @property
    def folder_has_account(self) -> bool:
        return self.workspace.owner_id != LOCAL_OWNER

    # ---------------------------------------------------------------- start and stop

    def start(self) -> None:
        """At app start: sync if the folder belongs to an account whose session the keyring kept."""
        owner = self.workspace.owner_id
        if owner == LOCAL_OWNER:
            return
        url = self.server_url
        self._submit(
            lambda: SignIn.resume(self._accounts(url), owner),
            lambda signin: self._attach(signin) if signin is not None and self._signin is None else None,
            lambda reason: log.warning("could not resume the sync session: %s", reason),
        )

    def shutdown(self) -> None:
        """Stop syncing (after the sync in progress) and the account thread; the app is closing."""
        self._closed = True
        runner, self._runner = self._runner, None
        self._generation += 1
        if runner is not None:
            runner.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._files_pool.shutdown(wait=True, cancel_futures=True)
        with self._clients_lock:
            for client in self._own_clients.values():
                client.close()
            self._own_clients.clear()

    def fetch_file(self, sha256: str, done: Callable[[Path], None], failed: Failed) -> None:
        """Download a file this computer does not have (the service does) off the UI thread; `done(path)`."""
        runner = self._runner
        files = runner.engine.files if runner is not None else None
        if self._closed or files is None:
            failed(self.tr("The file is not on this computer yet; sign in to sync to download it."))
            return
        future = self._files_pool.submit(ensure_local, self.workspace, files, sha256)
        future.add_done_callback(lambda f: self._finished.emit(lambda: self._complete(f, done, failed)))

    def sync_now(self) -> None:
        if self._runner is not None:
            self._runner.sync_now()

    def retry_refused(self) -> None:
        """Send the rows the service refused again (after the user fixed what it said), and sync."""
        self.ctx.ops.run(requeue_rejected, self.workspace, on_done=lambda _count: self.sync_now())

    # ---------------------------------------------------------------- signing in

    def sign_in(self, email: str, password: str, server_url: str, done: Done, failed: Failed) -> None:
        """Log in; then adopt the folder and sync. `done(rows adopted)` or `failed(sentence)`."""
        device = self.workspace.device_id
        self._open_session(
            server_url, lambda accounts: accounts.login(email, password, device), email, done, failed
        )

    def register(self, email: str, password: str, server_url: str, done: Done, failed: Failed) -> None:
        """Create the account; the service mails a code to confirm the address (`verify`)."""
        url = self._checked_url(server_url, failed)
        if url is not None:
            self._submit(lambda: self._accounts(url).register(email, password), done, failed)

    def request_code(self, email: str, server_url: str, done: Done, failed: Failed) -> None:
        """Mail the confirmation code again."""
        url = self._checked_url(server_url, failed)
        if url is not None:
            self._submit(lambda: self._accounts(url).request_verification(email), done, failed)

    def verify(self, email: str, code: str, server_url: str, done: Done, failed: Failed) -> None:
        """Confirm the address with the mailed code, which signs in; then as `sign_in`."""
        device = self.workspace.device_id
        self._open_session(
            server_url, lambda accounts: accounts.verify(email, code.strip(), device), email, done, failed
        )

    def _open_session(
        self,
        server_url: str,
        call: Callable[[AccountClient], SessionInfo],
        email: str,
        done: Done,
        failed: Failed,
    ) -> None:
        """`call` the service for a session (off the UI thread); then adopt the folder and sync."""
        url = self._checked_url(server_url, failed)
        if url is None:
            return

        def work() -> SignIn:
            accounts = self._accounts(url)
            return SignIn.start(accounts, call(accounts))

        self._submit(work, lambda signin: self._adopt(signin, email, done, failed), failed)

    def request_reset(self, email: str, server_url: str, done: Done, failed: Failed) -> None:
        url = self._checked_url(server_url, failed)
        if url is not None:
            self._submit(lambda: self._accounts(url).request_reset(email), done, failed)

    def reset_password(
        self, email: str, code: str, new_password: str, server_url: str, done: Done, failed: Failed
    ) -> None:
        """Set a new password with the mailed code, then sign in with it (as `sign_in`)."""
        url = self._checked_url(server_url, failed)
        if url is None:
            return

        def work() -> SignIn:
            accounts = self._accounts(url)
            accounts.reset_password(email, code.strip(), new_password)
            return SignIn.start(accounts, accounts.login(email, new_password, self.workspace.device_id))

        self._submit(work, lambda signin: self._adopt(signin, email, done, failed), failed)

    def _adopt(self, signin: SignIn, email: str, done: Done, failed: Failed) -> None:
        """A session is in: make the folder the account's (on the writer thread), then sync."""

        def adopted(count: int) -> None:
            self.ctx.settings.setValue(SERVER_URL_KEY, signin.accounts.base_url)
            self.ctx.settings.setValue(EMAIL_KEY, email)
            if count:
                self.refresh_screens()  # the rows changed owner: every tab reads them again
            self._attach(signin)
            done(count)

        def refused(error: PrintstallError) -> None:
            reason = self.sentence(error)
            self._submit(lambda: self._forget(signin), lambda _r: failed(reason), lambda _m: failed(reason))

        if self._signin is not None:  # the dialog offers signing in only when signed out
            failed(self.tr("Sign out first."))
            return
        self.ctx.ops.run(
            adopt_local_records, self.workspace, signin.user_id, on_done=adopted, on_error=refused
        )

    # ---------------------------------------------------------------- signed in

    def sign_out(self, done: Done, failed: Failed) -> None:
        """This computer only. It is signed out at once, even when the service cannot be told."""
        signin, runner = self._detach(self.tr("Sign in to sync."))
        if signin is None:
            done(None)
            return

        def work() -> None:
            if runner is not None:
                runner.stop()
            signin.sign_out()

        def not_told(reason: str) -> None:
            failed(
                self.tr("Signed out on this computer, but the service could not be told: {reason}").format(
                    reason=reason
                )
            )

        self._submit(work, done, not_told)

    def sign_out_everywhere(self, done: Done, failed: Failed) -> None:
        """Every computer signed in to the account, this one too."""

        def signed_out(_result: object) -> None:
            self._detach(self.tr("Sign in to sync."))
            done(None)

        self._paused(lambda signin: signin.sign_out_everywhere(), signed_out, failed)

    def change_password(self, current: str, new: str, done: Done, failed: Failed) -> None:
        signin = self._signin
        if signin is None:
            failed(self.tr("Sign in first."))
            return
        self._submit(
            lambda: signin.accounts.change_password(self._access(signin), current, new), done, failed
        )

    def download_data(self, target: Path, done: Done, failed: Failed) -> None:
        """Have the service pack everything, and save the archive as `target`; `done(size in bytes)`."""
        signin = self._signin
        if signin is None:
            failed(self.tr("Sign in first."))
            return

        def work() -> int:
            link = signin.accounts.export(self._access(signin))
            return download(link.url, target)

        self._submit(work, done, failed)

    def delete_account(self, password: str, done: Done, failed: Failed) -> None:
        """Delete the account and everything on the service; the records stay here, as local ones."""

        def work(signin: SignIn) -> None:
            signin.accounts.delete_account(self._access(signin), password)
            self._forget(signin)

        def released(count: int) -> None:
            self.refresh_screens()  # the rows changed owner: every tab reads them again
            done(count)

        def deleted(_result: object) -> None:
            self._detach(self.tr("Sign in to sync."))
            self.ctx.settings.remove(EMAIL_KEY)
            self.ctx.ops.run(
                release_records,
                self.workspace,
                on_done=released,
                on_error=lambda error: failed(self.sentence(error)),
            )

        self._paused(work, deleted, failed)

    # ---------------------------------------------------------------- the runner

    def _attach(self, signin: SignIn) -> None:
        """Signed in: start syncing."""
        self._signin = signin
        self._generation += 1
        generation = self._generation
        url = signin.accounts.base_url
        transport = HttpTransport(url, signin.token, client=self._http(url))
        runner = SyncRunner(
            SyncEngine(self.workspace, transport, files=transport),
            lambda status: self._runner_status.emit(generation, status),
            debounce_s=self._debounce_s,
        )
        self._runner = runner
        self._set_status(Status(State.IDLE, self.tr("Starting to sync…")))
        runner.start()
        if signin.keyring_problem and not self._keyring_told:
            self._keyring_told = True
            self.notice.emit(signin.keyring_problem)
        self.session_changed.emit()

    def _detach(self, message: str) -> tuple[SignIn | None, SyncRunner | None]:
        """Signed out: nothing syncs; the caller stops the runner off the UI thread."""
        signin, runner = self._signin, self._runner
        self._signin = self._runner = None
        self._generation += 1
        self._set_status(Status(State.SIGNED_OUT, message))
        self.session_changed.emit()
        return signin, runner

    def _paused(self, work: Callable[[SignIn], Any], done: Done, failed: Failed) -> None:
        """`work(signin)` on the account thread with the runner stopped; if it fails, sync again."""
        signin, runner = self._signin, self._runner
        if signin is None:
            failed(self.tr("Sign in first."))
            return
        self._runner = None
        self._generation += 1

        def job() -> Any:
            if runner is not None:
                runner.stop()
            return work(signin)

        def back(reason: str) -> None:
            if self._signin is signin and self._runner is None and not self._closed:
                self._attach(signin)
            failed(reason)

        self._submit(job, done, back)

    @Slot(int, object)
    def _on_runner_status(self, generation: int, status: Status) -> None:
        if generation != self._generation:
            return
        self._set_status(status)
        if status.pulled > 0:
            self.refresh_screens()
        if status.state is State.SIGNED_OUT:  # the service wants a new sign-in
            _signin, runner = self._detach(status.message)
            if runner is not None:
                self._submit(runner.stop, _ignore, _ignore)

    def _set_status(self, status: Status) -> None:
        self.status = status
        self.status_changed.emit(status)

    def refresh_screens(self) -> None:
        """Every tab reads its records again (they came from the service, or changed owner)."""
        self._refreshing = True
        try:
            self.ctx.ops.changed.emit(REFRESH_KINDS)
        finally:
            self._refreshing = False

    def _on_local_change(self, _kinds: frozenset[str]) -> None:
        if self._runner is not None and not self._refreshing:
            self._runner.changed()

    # ---------------------------------------------------------------- plumbing

    def _http(self, url: str) -> httpx.Client:
        if self._http_given is not None:
            return self._http_given
        with self._clients_lock:
            client = self._own_clients.get(url)
            if client is None:
                client = httpx.Client(base_url=url, timeout=DEFAULT_TIMEOUT_S)
                self._own_clients[url] = client
            return client

    def _accounts(self, url: str) -> AccountClient:
        return AccountClient(url, client=self._http(url))

    def _access(self, signin: SignIn) -> str:
        token = signin.token()
        if token is None:
            raise SignInNeeded(self.tr("Your sign-in has ended; sign in again."))
        return token

    @staticmethod
    def _forget(signin: SignIn) -> None:
        """End a session quietly: the keyring entry goes even when the service cannot be told."""
        with suppress(SyncError):
            signin.sign_out()

    def _checked_url(self, text: str, failed: Failed) -> str | None:
        url = text.strip().rstrip("/") or DEFAULT_SERVER_URL
        if not url.startswith(("https://", "http://")):
            failed(self.tr("The server address has to start with https://."))
            return None
        return url

    def sentence(self, error: BaseException) -> str:
        """One sentence for the user; the details of anything unexpected go to the log."""
        if isinstance(error, OwnerMismatch):
            return self.tr(
                "This data folder belongs to another Printstall account. Sign in to that account, or "
                "choose another data folder in Edit ▸ Settings."
            )
        if isinstance(error, SyncError | PrintstallError):
            return str(error)
        if isinstance(error, OSError):
            return self.tr("The file could not be saved: {reason}").format(reason=error.strerror or error)
        log.error("an account call failed", exc_info=error)
        return self.tr("Something went wrong; the details are in the log file.")

    def _submit(self, work: Callable[[], Any], done: Done, failed: Failed) -> None:
        if self._closed:
            return
        future = self._pool.submit(work)

        def finished(f: Future[Any]) -> None:
            self._finished.emit(lambda: self._complete(f, done, failed))

        future.add_done_callback(finished)

    def _complete(self, future: Future[Any], done: Done, failed: Failed) -> None:
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            done(future.result())
        else:
            failed(self.sentence(error))

    @Slot(object)
    def _deliver(self, call: Callable[[], None]) -> None:
        call()
