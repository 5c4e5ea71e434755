"""Signing in and syncing from the window, against the real service (FastAPI's TestClient, a real PostgreSQL)
with the OS keyring replaced by one in memory: sign-up with the mailed code adopts the folder and syncs, a
second computer pulls what the first made, the service's sentences show inline, the app works offline,
signing out forgets the token, and the panel lists what the service refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import keyring
import pytest
from fastapi.testclient import TestClient
from keyring.backends.fail import Keyring as NoKeyring
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QMessageBox

from core.db.models import Product
from core.services import products
from core.services.importing import import_paths
from core.workspace import LOCAL_OWNER, Workspace
from desktop.context import AppContext
from desktop.main_window import MainWindow
from desktop.ops import Operations
from desktop.sync.account_dialog import AccountDialog
from desktop.sync.controller import SERVER_URL_KEY, SyncController
from desktop.tabs.library import LibraryTab
from desktop.tabs.products import ProductsTab
from sync.client.account import KEYRING_SERVICE, NO_KEYRING, AccountClient, AccountRefused
from sync.client.engine import pending_count, rejected_rows
from sync.client.runner import State
from sync.client.transport import Offline
from sync.server.app import create_app
from sync.server.db import owner_transaction
from sync.server.devstack import S3Server, free_ports
from tests.core.files import SLICERS, cube_stl_bytes
from tests.desktop.test_keyboard import unnamed_controls
from tests.desktop.test_translation import untranslated
from tests.keyrings import MemoryKeyring
from tests.server.conftest import mailed_accounts
from tests.server.test_accounts_api import last_code
from tests.server.test_blobs_api import s3_settings

SERVICE_URL = "http://testserver"
EMAIL = "maker@example.com"
PASSWORD = "teal spools on the shelf"
WAIT_MS = 30_000


@dataclass
class Install:
    """One computer: a data folder, its preferences, the sync controller and the window."""

    ctx: AppContext
    sync: SyncController
    window: MainWindow

    @property
    def ws(self) -> Workspace:
        return self.ctx.workspace

    def products_shown(self) -> list[str]:
        return [p.name for p in self.window._page(ProductsTab).products]


Opener = Callable[..., Install]


@pytest.fixture
def open_install(qtbot: QtBot, tmp_path: Path, qapp: object) -> Iterator[Opener]:
    opened: list[Install] = []

    def open_(
        name: str, http: httpx.Client | None, url: str = SERVICE_URL, *, owner: str | None = None
    ) -> Install:
        ws = Workspace.open(tmp_path / name)
        if owner is not None:  # a folder signed in to an account on an earlier run
            ws.set_owner(owner)
        preferences = QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat)
        preferences.setValue(SERVER_URL_KEY, url)
        ctx = AppContext(ws, Operations(synchronous=True), preferences)
        sync = SyncController(ctx, http=http, debounce_s=0.05)
        window = MainWindow(ctx, sync)
        qtbot.addWidget(window)
        window.show()
        sync.start()
        install = Install(ctx, sync, window)
        opened.append(install)
        return install

    yield open_
    for install in opened:
        install.sync.shutdown()
        install.window.close()
        install.ctx.ops.shutdown()
        install.ws.close()


def server_rows(server_db: Engine, owner: str, table: str = "products") -> int:
    with owner_transaction(server_db, owner, read_only=True) as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def press(button: QAbstractButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    button.click()


def sign_up(qtbot: QtBot, install: Install, mail_folder: Path, email: str = EMAIL) -> AccountDialog:
    """Create an account in the window's account dialog and confirm it with the mailed code."""
    dialog = install.window.open_account()
    press(dialog.create_button)
    assert dialog.pages.currentWidget() is dialog.create_page
    qtbot.keyClicks(dialog.new_email, email)
    qtbot.keyClicks(dialog.new_password, PASSWORD)
    press(dialog.create_account_button)
    assert not dialog.create_account_button.isEnabled()  # while the call runs
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.code_page, timeout=WAIT_MS)
    assert email in dialog.code_hint.text()
    qtbot.keyClicks(dialog.code, last_code(mail_folder, "verify_email"))
    press(dialog.confirm_button)
    qtbot.waitUntil(dialog.code_page.isEnabled, timeout=WAIT_MS)  # done, one way or the other
    return dialog


def up_to_date(install: Install) -> bool:
    status = install.sync.status
    return status.state is State.UP_TO_DATE and status.pending == 0


def add_product_in_the_window(qtbot: QtBot, install: Install, name: str) -> None:
    tab = install.window._page(ProductsTab)
    form = tab.open_add()
    qtbot.keyClicks(form.name, name)
    qtbot.keyClicks(form.price, "9.00")
    press(form.ok_button)
    assert name in [p.name for p in products.list_products(install.ws)]


@pytest.mark.postgres
def test_sign_up_adopts_the_folder_syncs_and_a_second_computer_pulls_it(
    qtbot: QtBot,
    service: TestClient,
    server_db: Engine,
    mail_folder: Path,
    os_keyring: MemoryKeyring,
    open_install: Opener,
) -> None:
    workshop = open_install("workshop", service, url="https://somewhere.invalid")
    products.add_product(workshop.ws, name="Dragon", price_cents=1500)  # made before anyone signed in
    dialog = workshop.window.open_account()
    press(dialog.advanced)  # the server address is under "Advanced"
    assert dialog.server.isVisible()
    dialog.server.setText(SERVICE_URL + "/")
    sign_up(qtbot, workshop, mail_folder)

    assert workshop.sync.signed_in and dialog.pages.currentWidget() is dialog.signed_in_page
    assert EMAIL in dialog.who.text()
    owner = workshop.ws.owner_id
    assert owner != LOCAL_OWNER  # the folder was adopted...
    assert [p.name for p in products.list_products(workshop.ws)] == ["Dragon"]  # ...with its records
    assert "now belong to your account" in dialog.signed_in_page.note.text()
    assert list(os_keyring.entries) == [(KEYRING_SERVICE, f"{SERVICE_URL} {owner}")]
    assert workshop.ctx.settings.value(SERVER_URL_KEY) == SERVICE_URL
    qtbot.waitUntil(lambda: up_to_date(workshop) and server_rows(server_db, owner) == 1, timeout=WAIT_MS)
    assert workshop.window.sync_status.text_shown().startswith("Up to date, last synced ")
    assert workshop.window.account_action.text() == "&Account…"

    add_product_in_the_window(qtbot, workshop, "Wyvern")
    qtbot.waitUntil(lambda: server_rows(server_db, owner) == 2 and up_to_date(workshop), timeout=WAIT_MS)

    stall = open_install("stall", service)
    assert stall.products_shown() == []
    stall_dialog = stall.window.open_account()
    qtbot.keyClicks(stall_dialog.email, EMAIL)
    qtbot.keyClicks(stall_dialog.password, PASSWORD)
    press(stall_dialog.sign_in_button)
    qtbot.waitUntil(lambda: stall.products_shown() == ["Dragon", "Wyvern"], timeout=WAIT_MS)
    assert stall.ws.owner_id == owner
    qtbot.waitUntil(lambda: up_to_date(stall), timeout=WAIT_MS)


@pytest.mark.postgres
def test_a_wrong_password_shows_the_services_sentence_inline(
    qtbot: QtBot, service: TestClient, mail_folder: Path, os_keyring: MemoryKeyring, open_install: Opener
) -> None:
    accounts = AccountClient(SERVICE_URL, client=service)
    accounts.register(EMAIL, PASSWORD)
    accounts.verify(EMAIL, last_code(mail_folder, "verify_email"), "another-computer")
    with pytest.raises(AccountRefused) as refused:
        accounts.login(EMAIL, "not the password at all", "another-computer")
    os_keyring.entries.clear()

    install = open_install("workshop", service)
    dialog = install.window.open_account()
    qtbot.keyClicks(dialog.email, EMAIL)
    qtbot.keyClicks(dialog.password, "not the password at all")
    press(dialog.sign_in_button)
    assert not dialog.sign_in_page.isEnabled()
    qtbot.waitUntil(lambda: dialog.sign_in_page.error.isVisible(), timeout=WAIT_MS)
    assert dialog.sign_in_page.error.text() == str(refused.value)
    assert dialog.sign_in_page.isEnabled() and dialog.pages.currentWidget() is dialog.sign_in_page
    assert not install.sync.signed_in and install.ws.owner_id == LOCAL_OWNER
    assert os_keyring.entries == {}


@pytest.mark.postgres
def test_a_folder_of_another_account_is_not_mixed_in(
    qtbot: QtBot, service: TestClient, mail_folder: Path, os_keyring: MemoryKeyring, open_install: Opener
) -> None:
    other = str(uuid.uuid4())
    install = open_install("workshop", service, owner=other)  # signed in to another account before
    products.add_product(install.ws, name="Dragon", price_cents=1500)
    sign_up(qtbot, install, mail_folder, "second@example.com")

    page = install.window.open_account().code_page
    assert "belongs to another Printstall account" in page.error.text()
    assert "Settings" in page.error.text()
    assert not install.sync.signed_in and install.ws.owner_id == other
    qtbot.waitUntil(lambda: os_keyring.entries == {}, timeout=WAIT_MS)  # the new session was ended again


@pytest.mark.postgres
def test_sign_out_forgets_the_token_and_the_service_ends_the_session(
    qtbot: QtBot, service: TestClient, mail_folder: Path, os_keyring: MemoryKeyring, open_install: Opener
) -> None:
    install = open_install("workshop", service)
    dialog = sign_up(qtbot, install, mail_folder)
    qtbot.waitUntil(lambda: up_to_date(install), timeout=WAIT_MS)
    [stored] = os_keyring.entries.values()

    press(dialog.sign_out_button)
    assert not install.sync.signed_in  # at once; the service is told in the background
    qtbot.waitUntil(lambda: dialog.sign_in_page.note.isVisible(), timeout=WAIT_MS)
    assert os_keyring.entries == {}
    assert dialog.pages.currentWidget() is dialog.sign_in_page
    assert install.window.sync_status.text_shown() == "Sign in to sync"
    assert install.window.account_action.text() == "&Sign in…"
    with pytest.raises(AccountRefused):
        AccountClient(SERVICE_URL, client=service).refresh(stored)
    assert install.ws.owner_id != LOCAL_OWNER  # the records stay the account's, for the next sign-in


@pytest.mark.postgres
def test_the_panel_lists_a_row_the_service_refused(
    qtbot: QtBot, service: TestClient, mail_folder: Path, os_keyring: MemoryKeyring, open_install: Opener
) -> None:
    install = open_install("workshop", service)
    sign_up(qtbot, install, mail_folder)
    bad = products.add_product(install.ws, name="Wyvern", price_cents=900)
    with install.ws.write() as uow:  # a value the service cannot store (as a damaged database would hold)
        uow.update(uow.get(Product, bad.id), name="x" * 5000)
    install.ctx.ops.changed.emit(frozenset({"products"}))  # what every write in the window is followed by
    qtbot.waitUntil(lambda: rejected_rows(install.ws) != [] and up_to_date(install), timeout=WAIT_MS)

    assert install.window.sync_status.text_shown() == "Synced, 1 change(s) refused"
    panel = install.window.open_sync_panel()
    [(table, row_id, reason)] = panel.refused_rows()
    assert (table, row_id) == ("products", bad.id)
    assert "name is longer than" in reason
    assert panel.refused.isVisible() and not panel.no_refused.isVisible()
    assert panel.pending.text() == "0 changed row(s)"

    products.edit_product(install.ws, bad.id, name="Wyvern")  # fixed: it goes up, and leaves the list
    install.ctx.ops.changed.emit(frozenset({"products"}))
    qtbot.waitUntil(lambda: panel.refused_rows() == [] and panel.no_refused.isVisible(), timeout=WAIT_MS)
    assert install.window.sync_status.text_shown().startswith("Up to date")


def test_offline_the_status_says_so_and_the_app_keeps_working(
    qtbot: QtBot, os_keyring: MemoryKeyring, open_install: Opener
) -> None:
    [port] = free_ports(1)
    closed = f"http://127.0.0.1:{port}"  # nothing listens here
    user = str(uuid.uuid4())
    os_keyring.entries[(KEYRING_SERVICE, f"{closed} {user}")] = "kept-by-an-earlier-run"
    stall = open_install("stall", None, closed, owner=user)
    qtbot.waitUntil(lambda: stall.sync.status.state is State.OFFLINE, timeout=WAIT_MS)
    assert stall.sync.signed_in
    assert stall.window.sync_status.text_shown() == "Offline"
    assert "cannot be reached" in stall.window.sync_status.text.toolTip()

    add_product_in_the_window(qtbot, stall, "Dragon")
    assert stall.products_shown() == ["Dragon"]
    assert pending_count(stall.ws) >= 1  # waiting to go up

    fresh = open_install("fresh", None, closed)  # signing in while offline: the sentence, on the page
    dialog = fresh.window.open_account()
    qtbot.keyClicks(dialog.email, EMAIL)
    qtbot.keyClicks(dialog.password, PASSWORD)
    press(dialog.sign_in_button)
    qtbot.waitUntil(lambda: dialog.sign_in_page.error.isVisible(), timeout=WAIT_MS)
    with pytest.raises(Offline) as offline:
        AccountClient(closed).login(EMAIL, PASSWORD, "device")
    assert dialog.sign_in_page.error.text() == str(offline.value)
    assert not fresh.sync.signed_in


def test_every_page_of_the_account_dialog_is_named_and_translated(
    qtbot: QtBot, ctx: AppContext, pseudo: None
) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    dialog = window.open_account()
    dialog.advanced.setChecked(True)
    data = {str(ctx.workspace.data_dir), dialog.server.text()}
    for index in range(dialog.pages.count()):
        dialog.pages.setCurrentIndex(index)
        assert unnamed_controls(dialog) == [], index
        assert untranslated(dialog, data) == [], index
    panel = window.open_sync_panel()
    assert unnamed_controls(panel) == [] and untranslated(panel, data) == []


@pytest.mark.postgres
def test_a_computer_without_a_keyring_is_told_once_without_stopping(
    qtbot: QtBot, service: TestClient, mail_folder: Path, open_install: Opener
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())  # type: ignore[no-untyped-call]
    try:
        install = open_install("workshop", service)
        sign_up(qtbot, install, mail_folder)
        assert install.sync.signed_in

        def told() -> list[QMessageBox]:
            return [b for b in install.window.findChildren(QMessageBox) if b.isVisible()]

        qtbot.waitUntil(lambda: len(told()) == 1, timeout=WAIT_MS)
        [box] = told()
        assert box.text() == NO_KEYRING and not box.isModal()
        qtbot.waitUntil(lambda: up_to_date(install), timeout=WAIT_MS)  # syncing all the same
        add_product_in_the_window(qtbot, install, "Dragon")  # and the window works with the box up
    finally:
        keyring.set_keyring(previous)


@pytest.mark.postgres
@pytest.mark.s3
def test_deleting_the_account_keeps_the_records_here_as_local_ones(
    qtbot: QtBot,
    server_db: Engine,
    s3_server: S3Server,
    mail_folder: Path,
    os_keyring: MemoryKeyring,
    open_install: Opener,
) -> None:
    settings = s3_settings(s3_server)  # deleting an account deletes its files too
    accounts = mailed_accounts(server_db, settings, mail_folder)
    with TestClient(create_app(settings, engine=server_db, accounts=accounts)) as service:
        delete_the_account(qtbot, service, server_db, mail_folder, os_keyring, open_install)


def delete_the_account(
    qtbot: QtBot,
    service: TestClient,
    server_db: Engine,
    mail_folder: Path,
    os_keyring: MemoryKeyring,
    open_install: Opener,
) -> None:
    install = open_install("workshop", service)
    products.add_product(install.ws, name="Dragon", price_cents=1500)
    dialog = sign_up(qtbot, install, mail_folder)
    owner = install.ws.owner_id
    qtbot.waitUntil(lambda: up_to_date(install) and server_rows(server_db, owner) == 1, timeout=WAIT_MS)

    press(dialog.delete_button)
    assert dialog.pages.currentWidget() is dialog.delete_page
    qtbot.keyClicks(dialog.delete_password, "not my password")
    press(dialog.confirm_delete_button)
    qtbot.waitUntil(lambda: dialog.delete_page.error.isVisible(), timeout=WAIT_MS)
    assert "password" in dialog.delete_page.error.text().lower()
    qtbot.waitUntil(lambda: up_to_date(install), timeout=WAIT_MS)  # still signed in, syncing again

    dialog.delete_password.clear()
    qtbot.keyClicks(dialog.delete_password, PASSWORD)
    press(dialog.confirm_delete_button)
    qtbot.waitUntil(lambda: dialog.sign_in_page.note.isVisible(), timeout=WAIT_MS)
    assert "deleted" in dialog.sign_in_page.note.text()
    assert not install.sync.signed_in and os_keyring.entries == {}
    assert install.ws.owner_id == LOCAL_OWNER
    assert install.products_shown() == ["Dragon"]
    assert server_rows(server_db, owner) == 0
    with pytest.raises(AccountRefused):
        AccountClient(SERVICE_URL, client=service).login(EMAIL, PASSWORD, "device")


@pytest.mark.postgres
@pytest.mark.s3
def test_files_made_on_another_computer_download_when_a_preview_or_a_copy_asks_for_them(
    qtbot: QtBot,
    server_db: Engine,
    s3_server: S3Server,
    mail_folder: Path,
    os_keyring: MemoryKeyring,
    open_install: Opener,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = s3_settings(s3_server)
    accounts = mailed_accounts(server_db, settings, mail_folder)
    with TestClient(create_app(settings, engine=server_db, accounts=accounts)) as service:
        workshop = open_install("workshop", service)
        cube = tmp_path / "mini_cube.stl"
        cube.write_bytes(cube_stl_bytes())
        gcode = SLICERS / "mini_cube_ps2.8.1.gcode"
        outcome, sliced = import_paths(workshop.ws, [cube, gcode])
        assert outcome.model_id is not None and outcome.sha256 is not None
        assert sliced.model_id == outcome.model_id and sliced.sha256 is not None
        sign_up(qtbot, workshop, mail_folder)
        owner = workshop.ws.owner_id
        qtbot.waitUntil(
            lambda: up_to_date(workshop) and server_rows(server_db, owner, "models") == 1, timeout=WAIT_MS
        )

        laptop = open_install("laptop", service)
        dialog = laptop.window.open_account()
        qtbot.keyClicks(dialog.email, EMAIL)
        qtbot.keyClicks(dialog.password, PASSWORD)
        press(dialog.sign_in_button)
        qtbot.waitUntil(lambda: up_to_date(laptop) and laptop.ws.owner_id == owner, timeout=WAIT_MS)
        assert not laptop.ws.blobs.has(outcome.sha256)  # only the thumbnail came with the sync

        tab = laptop.window._page(LibraryTab)
        shown: list[object] = []
        tab._viewer_checked = True
        tab._show_preview = lambda _parent, triangles: shown.append(triangles)
        qtbot.waitUntil(lambda: tab.select_model(outcome.model_id or ""), timeout=WAIT_MS)
        tab.preview_model(outcome.model_id)
        assert "Downloading" in tab.detail.status.text()
        qtbot.waitUntil(lambda: bool(shown), timeout=WAIT_MS)
        assert laptop.ws.blobs.read_bytes(outcome.sha256) == cube.read_bytes()

        # The sliced file, for the stall's USB stick: downloaded, then saved where the user says.
        target = tmp_path / "usb" / "mini_cube_ps2.8.1.gcode"
        target.parent.mkdir()
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_args: (str(target), "")))
        [card] = tab.detail.variant_cards
        assert not laptop.ws.blobs.has(sliced.sha256)
        card.save_button.click()
        assert "Downloading mini_cube_ps2.8.1.gcode" in tab.detail.status.text()
        qtbot.waitUntil(target.exists, timeout=WAIT_MS)
        assert target.read_bytes() == gcode.read_bytes()
