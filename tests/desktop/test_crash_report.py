"""Crash reporting: an error nobody caught, on the UI thread or another, lands in the log file with the
versions a bug report needs, and the user sees one sentence with "Copy details" and "Open log folder"."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QTimer, QUrl, qWarning
from PySide6.QtGui import QGuiApplication

from desktop import errors
from tests.desktop.test_translation import untranslated


@pytest.fixture
def log_file(tmp_path: Path, qapp: object) -> Iterator[Path]:
    """The app's log file in `tmp_path`; the hooks that `reporting()` installs are removed after the test."""
    level = logging.getLogger().level
    path = errors.setup_logging(tmp_path / "logs")
    try:
        yield path
    finally:
        errors.uninstall()
        errors.stop_logging()
        logging.getLogger().setLevel(level)


def reporting() -> errors.CrashReporter:
    """The app's hooks, installed in the test itself (pytest and pytest-qt put their own back between the
    phases of a test); the dialog never waits, so nothing blocks the test."""
    reporter = errors.install()
    assert reporter is not None
    reporter.wait_when_idle = False
    return reporter


def boom() -> None:
    raise ValueError("the spool ran away")


def shown_dialog(qtbot: QtBot, reporter: errors.CrashReporter) -> errors.CrashDialog:
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    assert reporter.dialog is not None
    return reporter.dialog


def assert_self_contained_entry(log_text: str, thread: str) -> None:
    entry = log_text[log_text.index("ERROR printstall: Unhandled error") :]
    assert f"thread {thread!r}" in entry
    assert errors.versions() in entry  # Printstall, Python, Qt, PySide6 and the OS, in the entry itself
    assert "Traceback (most recent call last)" in entry and "ValueError: the spool ran away" in entry
    assert "in boom" in entry


def test_an_error_in_a_slot_is_logged_with_the_versions_and_shown(qtbot: QtBot, log_file: Path) -> None:
    reporter = reporting()
    QTimer.singleShot(0, boom)
    dialog = shown_dialog(qtbot, reporter)
    assert_self_contained_entry(log_file.read_text(encoding="utf-8"), "MainThread")
    assert not dialog.isModal()
    assert dialog.message.text().count(".") == 1  # one sentence
    assert "ValueError: the spool ran away" in dialog.details


def test_an_error_on_another_thread_is_logged_and_shown_on_the_ui_thread(
    qtbot: QtBot, log_file: Path
) -> None:
    reporter = reporting()
    worker = threading.Thread(target=boom, name="printstall-test-worker")
    worker.start()
    worker.join()
    dialog = shown_dialog(qtbot, reporter)
    assert dialog.thread() is QGuiApplication.instance().thread()
    assert_self_contained_entry(log_file.read_text(encoding="utf-8"), "printstall-test-worker")


def test_copy_details_puts_the_traceback_and_versions_on_the_clipboard(qtbot: QtBot, log_file: Path) -> None:
    reporter = reporting()
    QTimer.singleShot(0, boom)
    dialog = shown_dialog(qtbot, reporter)
    QGuiApplication.clipboard().clear()
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert errors.versions() in copied
    assert "Traceback (most recent call last)" in copied and "ValueError: the spool ran away" in copied


def test_open_log_folder_opens_the_folder_of_the_log(
    qtbot: QtBot, log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []

    class Desktop:
        @staticmethod
        def openUrl(url: QUrl) -> bool:
            opened.append(url)
            return True

    monkeypatch.setattr(errors, "QDesktopServices", Desktop)
    reporter = reporting()
    QTimer.singleShot(0, boom)
    shown_dialog(qtbot, reporter).folder_button.click()
    assert [Path(u.toLocalFile()) for u in opened] == [log_file.parent]


def test_a_second_error_joins_the_dialog_already_up(qtbot: QtBot, log_file: Path) -> None:
    reporter = reporting()
    QTimer.singleShot(0, boom)
    dialog = shown_dialog(qtbot, reporter)
    QTimer.singleShot(0, boom)
    qtbot.waitUntil(lambda: dialog.details.count("ValueError: the spool ran away") == 2)
    assert reporter.dialog is dialog


def test_before_the_event_loop_runs_the_dialog_waits_for_the_user(qtbot: QtBot, log_file: Path) -> None:
    """An error while the app starts (no window, no event loop yet): the dialog must stay up by itself."""
    reporter = reporting()
    reporter.wait_when_idle = True
    answered: list[bool] = []

    def answer() -> None:
        assert reporter.dialog is not None and reporter.dialog.isVisible()
        answered.append(True)
        reporter.dialog.reject()

    QTimer.singleShot(0, answer)  # runs inside the dialog's own event loop
    try:
        boom()
    except ValueError:
        sys.excepthook(*sys.exc_info())
    assert answered == [True]
    assert_self_contained_entry(log_file.read_text(encoding="utf-8"), "MainThread")


def test_qt_warnings_go_to_the_log(log_file: Path) -> None:
    reporting()
    qWarning("a Qt warning for the log")
    assert "WARNING qt: a Qt warning for the log" in log_file.read_text(encoding="utf-8")


def test_the_dialog_texts_are_translatable(qtbot: QtBot, pseudo: None) -> None:
    dialog = errors.CrashDialog("details")
    qtbot.addWidget(dialog)
    dialog.show()
    assert untranslated(dialog, set()) == []
