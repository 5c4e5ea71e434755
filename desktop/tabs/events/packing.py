"""An event's packing list as a table: per product the target (a spin box on every line), what is packed,
sold and still at the event, what is at home and what is left to pack.

Editing a target does not change the row here: the model emits `target_edited`, the tab runs
`events.set_target`, and the refresh after it shows the new numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from core.services.views import EventLineView
from desktop.widgets import colours
from desktop.widgets.keyed_model import KeyedTableModel

Index = QModelIndex | QPersistentModelIndex

PRODUCT, TARGET, PACKED, SOLD, AT_EVENT, AT_HOME, TO_PACK = range(7)
MAX_TARGET = 100_000


def tr(text: str) -> str:
    return QCoreApplication.translate("EventsTab", text)


@dataclass(frozen=True)
class PackingRow:
    line: EventLineView
    at_home: int  # units of the product at home, where packing takes them from

    @property
    def product_id(self) -> str:
        return self.line.product_id

    @property
    def to_pack(self) -> int:
        return max(0, self.line.target - self.line.packed)


class PackingModel(KeyedTableModel[PackingRow]):
    target_edited = Signal(str, int)  # product id, new target

    def __init__(self) -> None:
        super().__init__(
            [
                tr("Product"),
                tr("Target"),
                tr("Packed"),
                tr("Sold"),
                tr("At event"),
                tr("At home"),
                tr("To pack"),
            ],
            key=lambda r: r.product_id,
        )

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == TARGET:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != TARGET:
            return False
        row = self.row_at(index.row())
        target = int(value)
        if target == row.line.target:
            return False
        self.target_edited.emit(row.product_id, target)
        return True

    def cell(self, item: PackingRow, column: int, role: int) -> Any:
        line = item.line
        numbers = {
            TARGET: line.target,
            PACKED: line.packed,
            SOLD: line.sold,
            AT_EVENT: line.at_event,
            AT_HOME: item.at_home,
            TO_PACK: item.to_pack,
        }
        if role == Qt.ItemDataRole.DisplayRole:
            if column == PRODUCT:
                return line.product_name
            if column == TO_PACK:
                return str(item.to_pack) if item.to_pack else "\u2713"
            return str(numbers[column])
        if role == Qt.ItemDataRole.EditRole and column == TARGET:
            return line.target
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if column == PRODUCT:
                return line.product_name
            if column == TO_PACK and not item.to_pack:
                return tr("all packed")
            return str(numbers[column])
        if role == Qt.ItemDataRole.TextAlignmentRole and column != PRODUCT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            palette = QApplication.palette()
            if column == TO_PACK:
                if not item.to_pack:
                    return colours.ok(palette)
                return colours.warning(palette) if item.at_home < item.to_pack else None
            if column == AT_HOME and item.at_home < item.to_pack:
                return colours.warning(palette)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == AT_HOME and item.at_home < item.to_pack:
                return tr("Only {home} at home for {left} still to pack: print more first.").format(
                    home=item.at_home, left=item.to_pack
                )
            if column == AT_EVENT and line.returned:
                return tr("{n} brought back home after the event.").format(n=line.returned)
            if column == TARGET:
                return tr("How many to bring; 0 takes the product off the list.")
        return None


class TargetDelegate(QStyledItemDelegate):
    """A spin box for the target; the new value is saved when editing finishes (Enter, Tab, focus out)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        # The spin box on top shows the number; the cell paints only its background.
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        box = QSpinBox(parent)
        box.setRange(0, MAX_TARGET)
        box.setAlignment(Qt.AlignmentFlag.AlignRight)
        box.setFrame(False)
        box.setAutoFillBackground(True)
        # Not on the Tab chain (a box per line would trap Tab in the list): F2 or a digit on a target cell
        # puts the focus in its box, and Tab leaves it.
        box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        name = index.model().index(index.row(), PRODUCT).data()
        box.setAccessibleName(tr("Target for {product}").format(product=name))
        box.setToolTip(tr("How many to bring; 0 takes the product off the list."))
        box.editingFinished.connect(lambda: self.commitData.emit(box))
        return box

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QSpinBox) and not editor.hasFocus():
            editor.setValue(int(index.data(Qt.ItemDataRole.EditRole) or 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QSpinBox):
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: Index) -> None:
        editor.setGeometry(option.rect)
