"""The queue as a two-level item model: a section per printer (then "Unassigned" and "Finished recently"),
the jobs under it in queue order.

The model holds ids; row data comes from the last `QueueSnapshot`. A refresh compares ids and emits remove,
move and insert calls, so selection, expansion and scrolling survive it. Dragging a queued job (within its
printer, or from one printer or "Unassigned" to another printer) does not move rows here: it asks for the
move with `move_requested`, the tab runs `jobs.move_job`, and the refresh after it shows the new order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QCoreApplication,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication, QStyle

from core.timeutil import parse
from desktop.dialogs.units import WeightUnit, weight
from desktop.tabs.queue import look
from desktop.tabs.queue.snapshot import FINISHED, UNASSIGNED, JobRow, QueueSnapshot, Section
from desktop.widgets import colours
from desktop.widgets.swatch import swatch_icon

Index = QModelIndex | QPersistentModelIndex

MIME_TYPE = "application/x-printstall-job"
JobIdRole = Qt.ItemDataRole.UserRole + 1  # a job row's id (None on a section)
SectionKeyRole = Qt.ItemDataRole.UserRole + 2  # the key of a section, or of a job's section
StatusRole = Qt.ItemDataRole.UserRole + 3  # a job's status

JOB, STATUS, COPIES, FILAMENT, TIME, FINISH = range(6)


def tr(text: str) -> str:
    return QCoreApplication.translate("QueueTab", text)


def headers() -> list[str]:
    return [tr("Job"), tr("Status"), tr("Copies"), tr("Filament"), tr("Print time"), tr("Finishes")]


class QueueModel(QAbstractItemModel):
    move_requested = Signal(str, object, int)  # job id, printer id (None: unassigned), 1-based place

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._snapshot: QueueSnapshot | None = None
        self._keys: list[str] = []  # section keys in order
        self._children: dict[str, list[str]] = {}  # section key -> job ids in order
        self._sections: dict[str, Section] = {}
        self._rows: dict[str, JobRow] = {}
        self._uid: dict[str, int] = {}  # section key -> a stable number for its children's indexes
        self._key_of_uid: dict[int, str] = {}
        self.weight_unit: WeightUnit = "g"  # the user's; the tab sets it before each snapshot

    # ---------------------------------------------------------------- contents

    def set_snapshot(self, snapshot: QueueSnapshot) -> None:
        self._snapshot = snapshot
        self._rows = {**self._rows, **snapshot.rows}
        self._sections = {**self._sections, **{s.key: s for s in snapshot.sections}}
        for section in snapshot.sections:
            if section.key not in self._uid:
                uid = len(self._uid) + 1
                self._uid[section.key] = uid
                self._key_of_uid[uid] = section.key
                self._children[section.key] = []
        self._sync(QModelIndex(), self._keys, [s.key for s in snapshot.sections], self._dropped_section)
        for section in snapshot.sections:
            self._sync(self.section_index(section.key), self._children[section.key], list(section.job_ids))
        self._rows = dict(snapshot.rows)
        self._sections = {s.key: s for s in snapshot.sections}
        last = self.columnCount() - 1
        if self._keys:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._keys) - 1, last))
        for key in self._keys:
            count = len(self._children[key])
            if count:
                parent = self.section_index(key)
                self.dataChanged.emit(self.index(0, 0, parent), self.index(count - 1, last, parent))

    def _dropped_section(self, key: str) -> None:
        self._children[key] = []

    def _sync(
        self,
        parent: QModelIndex,
        current: list[str],
        wanted: Sequence[str],
        removed: Callable[[str], None] | None = None,
    ) -> None:
        """Turn `current` (this model's own list under `parent`) into `wanted` with begin/end calls."""
        keep = set(wanted)
        for row in range(len(current) - 1, -1, -1):
            if current[row] not in keep:
                self.beginRemoveRows(parent, row, row)
                key = current.pop(row)
                self.endRemoveRows()
                if removed is not None:
                    removed(key)
        for row, key in enumerate(wanted):
            if row < len(current) and current[row] == key:
                continue
            if key in current:
                source = current.index(key)  # always below `row`: everything above is in place
                self.beginMoveRows(parent, source, source, parent, row)
                current.insert(row, current.pop(source))
                self.endMoveRows()
            else:
                self.beginInsertRows(parent, row, row)
                current.insert(row, key)
                self.endInsertRows()

    @property
    def snapshot(self) -> QueueSnapshot | None:
        return self._snapshot

    def section_keys(self) -> list[str]:
        return list(self._keys)

    def job_ids(self, key: str) -> list[str]:
        return list(self._children.get(key, []))

    def section_index(self, key: str) -> QModelIndex:
        return self.index(self._keys.index(key), 0) if key in self._keys else QModelIndex()

    def job_index(self, job_id: str, column: int = 0) -> QModelIndex:
        for key in self._keys:
            children = self._children[key]
            if job_id in children:
                return self.index(children.index(job_id), column, self.section_index(key))
        return QModelIndex()

    def row_of(self, index: Index) -> JobRow | None:
        job_id = index.data(JobIdRole) if index.isValid() else None
        return self._rows.get(job_id) if job_id else None

    def row(self, job_id: str) -> JobRow | None:
        return self._rows.get(job_id)

    def section_of(self, index: Index) -> Section | None:
        key = index.data(SectionKeyRole) if index.isValid() else None
        return self._sections.get(key) if key is not None else None

    # ---------------------------------------------------------------- structure

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(headers()) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if row < len(self._keys) else QModelIndex()
        if parent.internalId() != 0 or parent.column() != 0 or parent.row() >= len(self._keys):
            return QModelIndex()
        key = self._keys[parent.row()]
        if row >= len(self._children[key]):
            return QModelIndex()
        return self.createIndex(row, column, self._uid[key])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        key = self._key_of_uid.get(index.internalId())
        if key is None or key not in self._keys:
            return QModelIndex()
        return self.createIndex(self._keys.index(key), 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._keys)
        if parent.internalId() == 0 and parent.column() == 0 and parent.row() < len(self._keys):
            return len(self._children[self._keys[parent.row()]])
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(headers())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return headers()[section]
        return None

    def _key_at(self, index: Index) -> str:
        if index.internalId() == 0:
            return self._keys[index.row()]
        return self._key_of_uid[index.internalId()]

    # ---------------------------------------------------------------- data

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        key = self._key_at(index)
        if role == SectionKeyRole:
            return key
        if index.internalId() == 0:
            section = self._sections.get(key)
            return self._section_data(section, index.column(), role) if section is not None else None
        children = self._children.get(key, [])
        if index.row() >= len(children):
            return None
        job_id = children[index.row()]
        if role == JobIdRole:
            return job_id
        row = self._rows.get(job_id)
        if row is None:
            return None
        if role == StatusRole:
            return row.job.status
        return self._job_data(row, index.column(), role)

    def section_title(self, section: Section) -> str:
        if section.key == UNASSIGNED:
            return tr("Unassigned")
        if section.key == FINISHED:
            return tr("Finished recently")
        if section.printer is None:
            return tr("Removed printer")
        return section.title

    def section_text(self, section: Section) -> str:
        title = self.section_title(section)
        count = len(section.job_ids)
        if section.key == FINISHED:
            return title
        if section.key == UNASSIGNED:
            if not count:
                return tr("{title} \u2014 nothing waiting for a printer").format(title=title)
            jobs = tr("1 job") if count == 1 else tr("{n} jobs").format(n=count)
            return tr("{title} \u2014 {jobs}; drag onto a printer to schedule").format(title=title, jobs=jobs)
        if not count:
            return tr("{title} \u2014 idle, nothing queued").format(title=title)
        jobs = tr("1 job") if count == 1 else tr("{n} jobs").format(n=count)
        if section.free_at is None or self._snapshot is None:
            return tr("{title} \u2014 {jobs}").format(title=title, jobs=jobs)
        free = look.when(section.free_at, self._snapshot.now)
        if section.at_least:
            return tr("{title} \u2014 {jobs}, free after {time} at the earliest").format(
                title=title, jobs=jobs, time=free
            )
        return tr("{title} \u2014 {jobs}, free at {time}").format(title=title, jobs=jobs, time=free)

    def _section_data(self, section: Section, column: int, role: int) -> Any:
        if column != JOB:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.section_text(section)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont(QApplication.font())
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and section.printer is not None and section.printer.model:
            return section.printer.model
        return None

    def _status_text(self, row: JobRow) -> str:
        status = row.job.status
        text = look.status_text(status)
        now = self._snapshot.now if self._snapshot else None
        if status == "printing" and now is not None:
            if row.overdue(now):
                return tr("Printing, past its estimate")
            share = row.progress(now)
            if share is not None:
                return tr("Printing, {pct} %").format(pct=round(share * 100))
        if status == "failed" and row.job.printed_permille is not None:
            return tr("Failed at {pct} %").format(pct=f"{row.job.printed_permille / 10:g}")
        return text

    def _job_data(self, row: JobRow, column: int, role: int) -> Any:
        display = role == Qt.ItemDataRole.DisplayRole
        status = row.job.status
        if role == Qt.ItemDataRole.BackgroundRole and status == "printing":
            colour = QColor(look.status_colour("printing", QApplication.palette()))
            colour.setAlpha(38)
            return colour
        if column == JOB:
            if display or role == Qt.ItemDataRole.AccessibleTextRole:
                return row.title or tr("(variant deleted)")
            if role == Qt.ItemDataRole.DecorationRole:
                code = look.colour_code(row.materials[0][1], row.materials[0][0]) if row.materials else ""
                return swatch_icon(code) if code else None
            if role == Qt.ItemDataRole.ToolTipRole:
                lines = [row.title or tr("(variant deleted)")]
                if row.product_name:
                    lines.append(
                        tr("Makes {units} \u00d7 {product}").format(units=row.units, product=row.product_name)
                    )
                else:
                    lines.append(tr("No product: finishing adds nothing to stock."))
                if row.job.notes:
                    lines.append(row.job.notes)
                return "\n".join(lines)
            if role == Qt.ItemDataRole.ForegroundRole and status in ("done", "failed", "cancelled"):
                return colours.muted(QApplication.palette())
        if column == STATUS:
            if display or role == Qt.ItemDataRole.AccessibleTextRole:
                return self._status_text(row)
            if role == Qt.ItemDataRole.DecorationRole:
                return look.status_icon(status)
            if role == Qt.ItemDataRole.ForegroundRole and status in ("printing", "failed", "done"):
                return look.status_colour(status, QApplication.palette())
            if role == Qt.ItemDataRole.ToolTipRole and status == "failed" and row.job.failure_reason:
                return row.job.failure_reason
        if column == COPIES:
            if display:
                if row.units_per_plate > 1:
                    return tr("{copies} ({units} units)").format(copies=row.job.copies, units=row.units)
                return str(row.job.copies)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column == FILAMENT:
            warn = bool(row.warnings) and status in ("queued", "printing")
            if display:
                if not row.materials:
                    return "\u2014"
                kinds = " + ".join(dict.fromkeys(d for d, _hex in row.materials))
                return tr("{weight} {materials}").format(
                    weight=weight(row.total_grams_mg, self.weight_unit), materials=kinds
                )
            if role == Qt.ItemDataRole.DecorationRole and warn:
                return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            if role == Qt.ItemDataRole.ForegroundRole and warn:
                return colours.warning(QApplication.palette())
            if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole) and warn:
                return "\n".join(row.warnings)
        if column == TIME:
            if display:
                return look.duration(row.duration_s)
            if role == Qt.ItemDataRole.ToolTipRole and row.print_time_s and row.job.copies > 1:
                return tr("{copies} \u00d7 {each}").format(
                    copies=row.job.copies, each=look.duration(row.print_time_s)
                )
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column == FINISH:
            return self._finish_data(row, role)
        return None

    def _finish_data(self, row: JobRow, role: int) -> Any:
        now = self._snapshot.now if self._snapshot else None
        status = row.job.status
        if now is None:
            return None
        if status in ("done", "failed", "cancelled"):
            if role == Qt.ItemDataRole.DisplayRole and row.job.finished_at:
                return look.when(parse(row.job.finished_at), now)
            return None
        unscheduled = status == "queued" and row.job.printer_id is None
        if role == Qt.ItemDataRole.DisplayRole:
            if unscheduled:
                return tr("not scheduled")
            if row.finishes_at is None:
                return tr("unknown")
            if row.overdue(now):
                return tr("due now")
            text = look.when(row.finishes_at, now)
            return tr("\u2265 {time}").format(time=text) if row.at_least else text
        if role == Qt.ItemDataRole.ToolTipRole:
            if unscheduled:
                return tr("Drag the job onto a printer to get an estimate.")
            if row.finishes_at is None:
                return tr("The sliced file gives no print time.")
            parts = []
            if row.starts_at is not None and status == "queued":
                parts.append(tr("Starts {time}").format(time=look.when(row.starts_at, now)))
            parts.append(
                tr("Ends {when} ({rel})").format(
                    when=look.when(row.finishes_at, now), rel=look.until(row.finishes_at, now)
                )
            )
            if row.at_least:
                parts.append(tr("An earlier job has no print time, so this is the earliest it can end."))
            return "\n".join(parts)
        if role == Qt.ItemDataRole.ForegroundRole and row.overdue(now):
            return colours.warning(QApplication.palette())
        return None

    # ---------------------------------------------------------------- drag and drop

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled
        if index.internalId() == 0:
            section = self._sections.get(self._keys[index.row()])
            if section is not None and self._accepts_drops(section):
                base |= Qt.ItemFlag.ItemIsDropEnabled
            return base
        base |= Qt.ItemFlag.ItemIsSelectable
        if index.data(StatusRole) == "queued":
            base |= Qt.ItemFlag.ItemIsDragEnabled
        return base

    @staticmethod
    def _accepts_drops(section: Section) -> bool:
        return section.key == UNASSIGNED or section.printer is not None

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids = list(dict.fromkeys(i.data(JobIdRole) for i in indexes if i.isValid() and i.data(JobIdRole)))
        data = QMimeData()
        data.setData(MIME_TYPE, QByteArray(json.dumps(ids).encode()))
        return data

    def _decode(self, data: QMimeData) -> list[str]:
        if not data.hasFormat(MIME_TYPE):
            return []
        try:
            ids = json.loads(bytes(data.data(MIME_TYPE).data()).decode())
        except (ValueError, UnicodeDecodeError):
            return []
        return [i for i in ids if isinstance(i, str) and i in self._rows] if isinstance(ids, list) else []

    def _target(self, row: int, parent: Index) -> tuple[str, int] | None:
        """The section key and the row before which a drop at (row, parent) lands."""
        if not parent.isValid():
            return None
        if parent.internalId() != 0:  # onto a job: before it
            return self._key_at(parent), parent.row()
        key = self._keys[parent.row()]
        return key, row

    def placement(self, job_id: str, key: str, row: int) -> tuple[str | None, int] | None:
        """Where moving `job_id` to before `row` of section `key` puts it: (printer id, 1-based place among
        the queued jobs), or None when that is no move or not allowed."""
        job = self._rows.get(job_id)
        section = self._sections.get(key)
        if job is None or section is None or job.job.status != "queued" or not self._accepts_drops(section):
            return None
        printer_id = None if key == UNASSIGNED else key
        if printer_id is None and job.job.printer_id is not None:
            return None  # core moves jobs between printers, not back to "unassigned"
        children = self._children[key]
        if row < 0 or row > len(children):
            row = len(children)
        queued_before = [
            j for j in children[:row] if j != job_id and (r := self._rows.get(j)) and r.job.status == "queued"
        ]
        place = len(queued_before) + 1
        if job.job.printer_id == printer_id:
            queued = [j for j in children if (r := self._rows.get(j)) and r.job.status == "queued"]
            if job_id in queued and queued.index(job_id) + 1 == place:
                return None
        return printer_id, place

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        target = self._target(row, parent)
        ids = self._decode(data)
        if (
            target is None
            or len(ids) != 1
            or action not in (Qt.DropAction.MoveAction, Qt.DropAction.CopyAction)
        ):
            return False
        job = self._rows[ids[0]]
        section = self._sections.get(target[0])
        if section is None or not self._accepts_drops(section) or job.job.status != "queued":
            return False
        return not (target[0] == UNASSIGNED and job.job.printer_id is not None)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        target = self._target(row, parent)
        assert target is not None
        return self.request_move(self._decode(data)[0], *target)

    def moveRows(
        self, source_parent: Index, source_row: int, count: int, destination_parent: Index, destination: int
    ) -> bool:
        if count != 1 or not source_parent.isValid() or source_parent.internalId() != 0:
            return False
        children = self._children[self._keys[source_parent.row()]]
        if not 0 <= source_row < len(children):
            return False
        target = self._target(destination, destination_parent)
        return target is not None and self.request_move(children[source_row], *target)

    def request_move(self, job_id: str, key: str, row: int) -> bool:
        placement = self.placement(job_id, key, row)
        if placement is None:
            return False
        self.move_requested.emit(job_id, *placement)
        return True
