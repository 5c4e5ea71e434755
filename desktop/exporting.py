"""File ▸ Export: stock, sales (all or one event) and an event's report as a spreadsheet (XLSX or CSV), and an
event's packing list as a PDF.

Each export asks for a file (the last folder and spreadsheet format are remembered, the name is made from
what is exported and today's date: `stock-2026-12-01.xlsx`), then runs the `core.services.exports` function
through `ctx.ops` (off the UI thread), and says "Saved 12 rows to …" in the window's status bar (or in a
message when there is no status bar). Errors are core's one sentence, in a message.

`export_menu` (or `export_actions`) gives the main window its submenu; `ask_for_file` is shared with the
label dialog's "Save as PDF…". `save_copy` saves a stored file (a mesh, a sliced file) under a name the user
chooses, for the Library's "Save a copy…"; `open_copy` opens one with the app the computer uses for its kind
(a slicer for a 3MF, say), through a copy named as the file in `opened_folder()` (the store's own file is
named by its hash, with no ending for the system to go by).
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QStandardPaths, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMenu, QMessageBox, QWidget

from core.errors import PrintstallError
from core.services import events, exports
from core.services.views import EventView
from desktop.context import AppContext

FOLDER_SETTING = "export/folder"
FORMAT_SETTING = "export/format"
SPREADSHEETS = ("xlsx", "csv")
ALL_SALES = ""  # what `choose_event` answers for "all sales"
SHOWN_MS = 15_000
OPENED_KEEP_S = 7 * 24 * 3600  # copies opened in other apps are cleared after a week

CurrentEvent = Callable[[], str | None]


def tr(text: str) -> str:
    return QCoreApplication.translate("exporting", text)


# ---------------------------------------------------------------- asking for a file


def file_filter(format: str) -> str:
    return {
        "xlsx": tr("Excel workbook (*.xlsx)"),
        "csv": tr("CSV, comma-separated values (*.csv)"),
        "pdf": tr("PDF document (*.pdf)"),
    }[format]


def default_folder(ctx: AppContext) -> Path:
    """The folder of the last export, else the user's documents folder."""
    remembered = str(ctx.settings.value(FOLDER_SETTING, "") or "")
    if remembered and Path(remembered).is_dir():
        return Path(remembered)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def spreadsheet_format(ctx: AppContext) -> str:
    """The spreadsheet format of the last export (XLSX at first)."""
    chosen = str(ctx.settings.value(FORMAT_SETTING, "xlsx"))
    return chosen if chosen in SPREADSHEETS else "xlsx"


def file_stem(*parts: str) -> str:
    """A file name from words: lower case, letters and digits joined by hyphens ("Christmas market!" ->
    "christmas-market")."""
    words = re.findall(r"\w+", " ".join(parts).casefold())
    return "-".join(words)[:80] or "export"


def ask_for_file(
    parent: QWidget, ctx: AppContext, title: str, default_name: str, formats: Sequence[str] = SPREADSHEETS
) -> Path | None:
    """The file a user chooses to save to (None when they cancel). A name without one of `formats`' endings
    gets the ending of the chosen filter; the folder (and a spreadsheet format) are remembered."""
    suffix = Path(default_name).suffix.lstrip(".").lower()
    filters = [file_filter(f) for f in formats]
    name, chosen = QFileDialog.getSaveFileName(
        parent,
        title,
        str(default_folder(ctx) / default_name),
        ";;".join(filters),
        file_filter(suffix) if suffix in formats else filters[0],
    )
    if not name:
        return None
    path = Path(name)
    if path.suffix.lstrip(".").lower() not in formats:
        format = next((f for f, text in zip(formats, filters, strict=True) if text == chosen), formats[0])
        path = path.with_name(f"{path.name}.{format}")
    ctx.settings.setValue(FOLDER_SETTING, str(path.parent))
    if path.suffix.lstrip(".").lower() in SPREADSHEETS:
        ctx.settings.setValue(FORMAT_SETTING, path.suffix.lstrip(".").lower())
    return path


# ---------------------------------------------------------------- telling the user


def tell(parent: QWidget, text: str) -> None:
    """`text` in the window's status bar, or in a message when the window has none."""
    if not shiboken6.isValid(parent):
        return
    window = parent.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, SHOWN_MS)
    else:
        QMessageBox(
            QMessageBox.Icon.Information, tr("Export"), text, QMessageBox.StandardButton.Ok, parent
        ).open()


def warn(parent: QWidget, text: str, title: str | None = None) -> None:
    """One sentence in a message that does not block."""
    if shiboken6.isValid(parent):
        QMessageBox(
            QMessageBox.Icon.Warning, title or tr("Export"), text, QMessageBox.StandardButton.Ok, parent
        ).open()


def _run(
    parent: QWidget,
    ctx: AppContext,
    func: Callable[..., int],
    *args: Any,
    done: Callable[[int], str],
    **kwargs: Any,
) -> None:
    ctx.ops.run(
        func,
        *args,
        on_done=lambda n: tell(parent, done(n)),
        on_error=lambda error: warn(parent, str(error)),
        **kwargs,
    )


def _rows(n: int, path: Path) -> str:
    text = tr("Saved 1 row to {file}.") if n == 1 else tr("Saved {n} rows to {file}.")
    return text.format(n=n, file=path)


# ---------------------------------------------------------------- a copy of a stored file


def save_copy(parent: QWidget, ctx: AppContext, name: str, sha256: str) -> Path | None:
    """Ask where to save the stored file `sha256` (offering its own `name` in the last export folder), then
    copy it there through `ctx.ops`. Returns the file chosen (None: the user cancelled)."""
    name = plain_name(name)
    ending = name.rpartition(".")[2] if "." in name else ""
    filters = [tr("{ending} files (*.{ending})").format(ending=ending)] if ending else []
    filters.append(tr("All files (*)"))
    chosen, _ = QFileDialog.getSaveFileName(
        parent,
        tr("Save a copy of {name}").format(name=name),
        str(default_folder(ctx) / name),
        ";;".join(filters),
        filters[0],
    )
    if not chosen:
        return None
    path = Path(chosen)
    ctx.settings.setValue(FOLDER_SETTING, str(path.parent))
    _run(
        parent,
        ctx,
        exports.export_file,
        ctx.workspace,
        sha256,
        path,
        done=lambda _size: tr("Saved {file}.").format(file=path),
    )
    return path


def opened_folder() -> Path:
    """Where copies opened in other apps go: "opened" in this user's cache folder for Printstall."""
    cache = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)
    return (
        Path(cache or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.TempLocation))
        / "opened"
    )


def plain_name(name: str) -> str:
    """`name` without any folder in it (a synced record's name is not trusted to be one); "file" for a name
    that is nothing else ("", "..")."""
    plain = Path(name.replace("\\", "/")).name.strip()
    return plain if plain not in ("", ".", "..") else "file"


def open_copy(parent: QWidget, ctx: AppContext, name: str, sha256: str) -> Path:
    """Open the stored file `sha256` in the app the computer uses for files like `name`; when there is none,
    one sentence says so. Returns the copy's path. Copies older than a week are cleared first."""
    folder = opened_folder()
    _clear_old_copies(folder)
    path = folder / sha256[:16] / plain_name(name)

    def copied(_size: int) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            warn(
                parent,
                tr("No app on this computer opens {name}; save a copy of it instead.").format(name=path.name),
                tr("Open"),
            )

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        warn(
            parent,
            tr("Cannot make the folder {folder}: {reason}.").format(folder=path.parent, reason=exc.strerror),
            tr("Open"),
        )
        return path
    ctx.ops.run(
        exports.export_file,
        ctx.workspace,
        sha256,
        path,
        on_done=copied,
        on_error=lambda error: warn(parent, str(error), tr("Open")),
    )
    return path


def _clear_old_copies(folder: Path) -> None:
    if not folder.is_dir():
        return
    oldest = time.time() - OPENED_KEEP_S
    for entry in folder.iterdir():
        try:
            if entry.stat().st_mtime < oldest:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue


# ---------------------------------------------------------------- the exports


def export_stock(parent: QWidget, ctx: AppContext) -> Path | None:
    """Every product with its stock at home, price and unit cost. Returns the file chosen (None: the user
    cancelled); the export runs through `ctx.ops`."""
    name = f"stock-{date.today().isoformat()}.{spreadsheet_format(ctx)}"
    path = ask_for_file(parent, ctx, tr("Export the stock"), name)
    if path is not None:
        _run(parent, ctx, exports.export_stock, ctx.workspace, path, done=lambda n: _rows(n, path))
    return path


def _event(ctx: AppContext, event_id: str) -> EventView | None:
    try:
        return events.get_event(ctx.workspace, event_id)
    except PrintstallError:
        return None


def export_sales(parent: QWidget, ctx: AppContext, event_id: str | None = None) -> Path | None:
    """Every sale, or the sales of one event."""
    event = _event(ctx, event_id) if event_id else None
    if event_id and event is None:
        warn(parent, tr("That event is no longer there."))
        return None
    stem = file_stem("sales", event.name) if event else "sales"
    name = f"{stem}-{date.today().isoformat()}.{spreadsheet_format(ctx)}"
    title = tr("Export the sales of {event}").format(event=event.name) if event else tr("Export the sales")
    path = ask_for_file(parent, ctx, title, name)
    if path is not None:
        _run(
            parent,
            ctx,
            exports.export_sales,
            ctx.workspace,
            path,
            event_id=event_id,
            done=lambda n: _rows(n, path),
        )
    return path


def _ask_for_event_file(
    parent: QWidget,
    ctx: AppContext,
    event_id: str,
    title: str,
    kind: str,
    suffix: str,
    formats: Sequence[str] = SPREADSHEETS,
) -> tuple[EventView, Path] | None:
    """The event and the file a user chooses to save its `kind` to (`title` names the event as {event});
    None when the event is gone (with a warning) or they cancel."""
    event = _event(ctx, event_id)
    if event is None:
        warn(parent, tr("That event is no longer there."))
        return None
    name = f"{file_stem(kind, event.name, event.starts_on or '')}.{suffix}"
    path = ask_for_file(parent, ctx, title.format(event=event.name), name, formats)
    return None if path is None else (event, path)


def export_event_report(parent: QWidget, ctx: AppContext, event_id: str) -> Path | None:
    """An event's report: what sold, its cost and profit, and the revenue by payment."""
    chosen = _ask_for_event_file(
        parent, ctx, event_id, tr("Export the report of {event}"), "report", spreadsheet_format(ctx)
    )
    if chosen is None:
        return None
    event, path = chosen

    def done(n: int) -> str:
        text = (
            tr("Saved the report of {event} (1 product sold) to {file}.")
            if n == 1
            else tr("Saved the report of {event} ({n} products sold) to {file}.")
        )
        return text.format(event=event.name, n=n, file=path)

    _run(parent, ctx, exports.export_event_report, ctx.workspace, event_id, path, done=done)
    return path


def export_packing_list(parent: QWidget, ctx: AppContext, event_id: str) -> Path | None:
    """An event's packing list as a PDF to print and tick off."""
    chosen = _ask_for_event_file(
        parent, ctx, event_id, tr("Save the packing list of {event}"), "packing list", "pdf", ("pdf",)
    )
    if chosen is None:
        return None
    path = chosen[1]

    def done(n: int) -> str:
        text = (
            tr("Saved the packing list (1 page) to {file}.")
            if n == 1
            else tr("Saved the packing list ({n} pages) to {file}.")
        )
        return text.format(n=n, file=path)

    _run(parent, ctx, exports.packing_list_pdf, ctx.workspace, event_id, path, done=done)
    return path


# ---------------------------------------------------------------- choosing an event


def event_title(event: EventView) -> str:
    return f"{event.name} ({event.starts_on})" if event.starts_on else event.name


def choose_event(
    parent: QWidget,
    ctx: AppContext,
    title: str,
    *,
    current: str | None = None,
    allow_all: bool = False,
) -> str | None:
    """Ask which event (`current` offered first); with `allow_all`, "All sales" is a choice too and answers
    `ALL_SALES`. None when the user cancels or there is no event to choose."""
    found = events.list_events(ctx.workspace)
    if not found:
        if allow_all:
            return ALL_SALES
        warn(parent, tr("There are no events yet; add one in the Events tab first."))
        return None
    ids: list[str] = ([ALL_SALES] if allow_all else []) + [e.id for e in found]
    items = ([tr("All sales")] if allow_all else []) + [event_title(e) for e in found]
    for number in range(len(items)):  # two events of the same name and day still read apart
        if items.count(items[number]) > 1:
            items[number] = f"{items[number]} #{number + 1}"
    start = ids.index(current) if current in ids else 0
    item, ok = QInputDialog.getItem(parent, title, tr("&Event:"), items, start, False)
    if not ok or item not in items:
        return None
    return ids[items.index(item)]


# ---------------------------------------------------------------- the menu


def export_actions(
    parent: QWidget, ctx: AppContext, current_event: CurrentEvent | None = None
) -> list[QAction]:
    """The File ▸ Export actions: stock, sales, an event's report and its packing list. `current_event`
    (the Events tab's chosen event) is the one the event choice offers first."""

    def current() -> str | None:
        return current_event() if current_event is not None else None

    def stock() -> None:
        export_stock(parent, ctx)

    def sales() -> None:
        chosen = choose_event(parent, ctx, tr("Export sales"), current=current(), allow_all=True)
        if chosen is not None:
            export_sales(parent, ctx, chosen or None)

    def report() -> None:
        chosen = choose_event(parent, ctx, tr("Export an event report"), current=current())
        if chosen:
            export_event_report(parent, ctx, chosen)

    def packing() -> None:
        chosen = choose_event(parent, ctx, tr("Save a packing list"), current=current())
        if chosen:
            export_packing_list(parent, ctx, chosen)

    made = []
    for text, what, slot in (
        (tr("&Stock…"), tr("Save every product with its stock, price and cost as a spreadsheet"), stock),
        (tr("S&ales…"), tr("Save the sales of every event or of one as a spreadsheet"), sales),
        (tr("Event &report…"), tr("Save an event's sales, costs and profit as a spreadsheet"), report),
        (tr("&Packing list (PDF)…"), tr("Save an event's packing list as a PDF to print"), packing),
    ):
        action = QAction(text, parent)
        action.setStatusTip(what)
        action.setToolTip(what)
        action.triggered.connect(lambda _checked=False, run=slot: run())
        made.append(action)
    return made


def export_menu(parent: QWidget, ctx: AppContext, current_event: CurrentEvent | None = None) -> QMenu:
    """The File ▸ Export submenu."""
    menu = QMenu(tr("&Export"), parent)
    menu.addActions(export_actions(parent, ctx, current_event))
    return menu
