"""The detail pane: one model with its designer, licence (and a visible warning when selling prints is not
allowed or not known), files, and variants with print time, grams per extruder, what a unit's print costs,
printer, material, colour and the sliced file's own thumbnail. Its buttons ask the tab to edit, delete or
preview the model, or to open one of its files in another app or save a copy of it (a file in the list:
double-click opens, the context menu does both; a variant's sliced file: the card's buttons). The tab hands
it the costs (`core.services.costing.variant_cost`) with the details."""

from __future__ import annotations

import html
from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

from PySide6.QtCore import QCoreApplication, QLocale, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.services.costing import CostBreakdown
from core.services.search import FileEntry, ModelDetail, VariantDetail
from desktop.dialogs.units import MG_PER_OZ, WeightUnit, money
from desktop.tabs.library.thumbnails import ThumbnailCache

PICTURE = 240
VARIANT_PICTURE = 72


def tr(text: str) -> str:
    return QCoreApplication.translate("LibraryDetail", text)


def duration(seconds: int | None) -> str:
    """221 -> '3 min 41 s'; 4551 -> '1 h 15 min'; None -> '—'."""
    if seconds is None:
        return "—"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return tr("{h} h {m:02d} min").format(h=hours, m=minutes)
    if minutes:
        return tr("{m} min {s:02d} s").format(m=minutes, s=secs)
    return tr("{s} s").format(s=secs)


def filament_weight(mg: int | None, unit: WeightUnit) -> str:
    """750 -> '0.75 g'; 27000 -> '27.0 g'; in ounces '0.95 oz' (in the user's number format); None -> '—'."""
    if mg is None:
        return "—"
    if unit == "oz":
        return tr("{oz} oz").format(oz=QLocale().toString(float(Decimal(mg) / MG_PER_OZ), "f", 2))
    value = mg / 1000
    return tr("{g} g").format(g=QLocale().toString(value, "f", 2 if value < 10 else 1))


def file_size(size: int) -> str:
    return QLocale().formattedDataSize(size)


def swatch(colour_hex: str, edge: int = 14) -> QIcon:
    pixmap = QPixmap(edge, edge)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(0, 0, 0, 120))
    painter.setBrush(QColor(colour_hex[:7]))
    painter.drawRoundedRect(1, 1, edge - 2, edge - 2, 3, 3)
    painter.end()
    return QIcon(pixmap)


class SellingBanner(QLabel):
    """What the licence says about selling prints; loud when it says no or nothing."""

    STYLES: ClassVar[dict[bool | None, str]] = {
        True: "",
        False: "background: #b91c1c; color: white; border-radius: 4px; padding: 6px; font-weight: bold;",
        None: "background: #fbbf24; color: #1f1300; border-radius: 4px; padding: 6px; font-weight: bold;",
    }

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName(tr("Selling prints"))
        self.allowed: bool | None = None

    def show_for(self, allowed: bool | None, licence: str) -> None:
        self.allowed = allowed
        if allowed is True:
            text = tr("✓ The licence allows selling prints.")
        elif allowed is False:
            text = tr("⚠ The licence does not allow selling prints of this model.")
        elif licence:
            text = tr(
                "⚠ Not known whether {licence} allows selling prints. Check before you sell any."
            ).format(licence=licence)
        else:
            text = tr(
                "⚠ No licence given: not known whether selling prints is allowed. Check before you sell any."
            )
        self.setText(text)
        self.setStyleSheet(self.STYLES[allowed])
        self.setAccessibleDescription(text)


class VariantCard(QFrame):
    """One variant: its sliced file's picture, name, printer, material and colour, print time and the
    filament each extruder uses (with the filament's colour), in the user's weight `unit`."""

    def __init__(
        self, variant: VariantDetail, unit: WeightUnit, cost: CostBreakdown | None = None, currency: str = ""
    ) -> None:
        super().__init__()
        self.variant = variant
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(tr("Variant {name}").format(name=variant.name))
        self.picture = QLabel()
        self.picture.setFixedSize(VARIANT_PICTURE, VARIANT_PICTURE)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setAccessibleName(tr("Picture of the sliced file"))
        self.name = _text_label(variant.name, tr("Variant name"))
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        setup = " · ".join(p for p in (variant.printer, variant.material, variant.colour) if p)
        self.setup = _text_label(
            setup or tr("Printer and material not given"), tr("Printer, material and colour")
        )
        self.time = _text_label(
            tr("Print time: {time}").format(time=duration(variant.print_time_s)), tr("Print time")
        )
        self.cost = _text_label(print_cost(cost, currency), tr("Print cost per unit"))
        if cost is not None and cost.warnings:
            self.cost.setToolTip("\n".join(cost.warnings))
            self.cost.setAccessibleDescription(" ".join(cost.warnings))
        self.cost.setVisible(cost is not None)
        time_and_cost = QHBoxLayout()
        time_and_cost.setSpacing(12)
        time_and_cost.addWidget(self.time)
        time_and_cost.addWidget(self.cost)
        time_and_cost.addStretch(1)
        self.time.setWordWrap(False)
        self.cost.setWordWrap(False)
        facts = QVBoxLayout()
        facts.setSpacing(2)
        for label in (self.name, self.setup):
            facts.addWidget(label)
        facts.addLayout(time_and_cost)
        # One line per extruder: swatch, slot, material and colour, weight.
        self.extruders: list[QLabel] = []
        table = QGridLayout()
        table.setHorizontalSpacing(6)
        table.setVerticalSpacing(1)
        uses = variant.extruders
        for row, use in enumerate(uses):
            mark = QLabel()
            if use.colour_hex:
                mark.setPixmap(swatch(use.colour_hex).pixmap(14, 14))
            what = " ".join(p for p in (use.material, use.colour_name) if p)
            slot = tr("Extruder {n}").format(n=use.slot + 1) if len(uses) > 1 else tr("Filament")
            used = filament_weight(use.grams_mg, unit)
            amount = _text_label(used, tr("{slot}: filament").format(slot=slot))
            amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            amount.setAccessibleDescription(tr("{slot} uses {weight}").format(slot=slot, weight=used))
            table.addWidget(mark, row, 0)
            table.addWidget(QLabel(slot), row, 1)
            table.addWidget(_text_label(what, tr("Material")), row, 2)
            table.addWidget(amount, row, 3)
            self.extruders.append(amount)
        if len(uses) > 1:
            total = _text_label(filament_weight(variant.grams_mg, unit), tr("Filament in all"))
            total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.addWidget(QLabel(tr("In all")), len(uses), 1)
            table.addWidget(total, len(uses), 3)
        if not uses:
            table.addWidget(QLabel(tr("Filament")), 0, 1)
            table.addWidget(_text_label(filament_weight(None, unit), tr("Filament")), 0, 3)
        table.setColumnStretch(2, 1)
        facts.addLayout(table)
        more = [variant.slicer] if variant.slicer else []
        if variant.units_per_plate != 1:
            more.append(tr("{n} per plate").format(n=variant.units_per_plate))
        self.more = _text_label(" · ".join(more), tr("Slicer"))
        self.more.setVisible(bool(more))
        muted = self.more.palette()
        muted.setColor(QPalette.ColorRole.WindowText, muted.color(QPalette.ColorRole.PlaceholderText))
        self.more.setPalette(muted)
        facts.addWidget(self.more)
        self.open_button = QPushButton(tr("Open sliced file"))
        self.open_button.setAccessibleName(tr("Open the sliced file in another app"))
        self.save_button = QPushButton(tr("Save sliced file…"))
        self.save_button.setAccessibleName(tr("Save a copy of the sliced file"))
        sliced = variant.sliced_file
        file_buttons = QHBoxLayout()
        for button in (self.open_button, self.save_button):
            button.setVisible(sliced is not None)
            file_buttons.addWidget(button)
        file_buttons.addStretch(1)
        if sliced is not None:
            self.open_button.setToolTip(
                tr("Open {name} in the app this computer uses for it").format(name=sliced.name)
            )
            self.save_button.setToolTip(tr("Save a copy of {name}").format(name=sliced.name))
        facts.addLayout(file_buttons)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(facts, 1)

    def set_picture(self, pixmap: QPixmap | None) -> None:
        if pixmap is None:
            self.picture.setText("—")
        else:
            self.picture.setPixmap(pixmap)


def print_cost(cost: CostBreakdown | None, currency: str) -> str:
    """'Cost: 1.11 EUR a unit' (filament, machine time and failures; a unit's share of the plate), with a
    mark when something could not be costed (the tooltip says what)."""
    if cost is None:
        return ""
    text = tr("Cost: {cost} a unit").format(cost=money(cost.total_cents, currency))
    return f"{text} \u26a0" if cost.warnings else text


def _text_label(text: str, accessible: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(accessible)
    return label


class DetailPane(QScrollArea):
    edit_requested = Signal(str)
    delete_requested = Signal(str)
    preview_requested = Signal(str)
    open_requested = Signal(object)  # a FileEntry
    save_requested = Signal(object)  # a FileEntry

    def __init__(self, pictures: ThumbnailCache, variant_pictures: ThumbnailCache) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName(tr("Model details"))
        self.setMinimumWidth(360)
        self._pictures = pictures
        self._variant_pictures = variant_pictures
        pictures.ready.connect(self._picture_ready)
        variant_pictures.ready.connect(self._variant_picture_ready)
        self.detail: ModelDetail | None = None

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 8, 12, 12)

        self.placeholder = QLabel(tr("Select a model to see its details."))
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        layout.addWidget(self.placeholder)

        self.content = QWidget()
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        self.picture = QLabel()
        self.picture.setFixedSize(PICTURE, PICTURE)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setAccessibleName(tr("Thumbnail"))
        content.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignHCenter)

        self.title = self._label(tr("Model name"))
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        content.addWidget(self.title)
        self.designer = self._label(tr("Designer"))
        self.designer.setTextFormat(Qt.TextFormat.RichText)
        self.designer.setOpenExternalLinks(True)
        self.designer.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        content.addWidget(self.designer)
        self.licence = self._label(tr("Licence"))
        content.addWidget(self.licence)
        self.selling = SellingBanner()
        content.addWidget(self.selling)
        self.category = self._label(tr("Category and tags"))
        content.addWidget(self.category)
        self.notes = self._label(tr("Notes"))
        content.addWidget(self.notes)

        buttons = QHBoxLayout()
        self.edit_button = QPushButton(tr("Ed&it…"))
        self.edit_button.setAccessibleName(tr("Edit the model"))
        self.edit_button.setToolTip(tr("Edit the name, designer, licence, tags, category and notes (F2)"))
        self.edit_button.clicked.connect(lambda: self._ask(self.edit_requested))
        self.delete_button = QPushButton(tr("&Delete"))
        self.delete_button.setAccessibleName(tr("Delete the model"))
        self.delete_button.setToolTip(tr("Move the model to the trash; you can undo it (Del)"))
        self.delete_button.clicked.connect(lambda: self._ask(self.delete_requested))
        self.preview_button = QPushButton(tr("3D &preview"))
        self.preview_button.setAccessibleName(tr("Show the model in 3D"))
        self.preview_button.clicked.connect(lambda: self._ask(self.preview_requested))
        self.preview_button.hide()  # shown once the 3D viewer is known to be there
        for button in (self.edit_button, self.delete_button, self.preview_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        content.addLayout(buttons)
        self.status = self._label(tr("Status"))
        self.status.hide()
        content.addWidget(self.status)

        self.files_heading = self._heading(tr("Files"))
        content.addWidget(self.files_heading)
        self.files = QTreeWidget()
        self.files.setHeaderLabels([tr("File"), tr("Kind"), tr("Size")])
        self.files.setRootIsDecorated(False)
        self.files.setAccessibleName(tr("Files of the model"))
        self.files.setSizeAdjustPolicy(QTreeWidget.SizeAdjustPolicy.AdjustToContents)
        self.files.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.files.header().setStretchLastSection(False)
        self.files.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.open_file_action = QAction(tr("&Open"), self.files)
        self.open_file_action.triggered.connect(lambda: self._ask_for_current_file(self.open_requested))
        self.save_file_action = QAction(tr("&Save a copy…"), self.files)
        self.save_file_action.triggered.connect(lambda: self._ask_for_current_file(self.save_requested))
        self.files.addActions([self.open_file_action, self.save_file_action])
        self.files.itemActivated.connect(
            lambda _item, _column: self._ask_for_current_file(self.open_requested)
        )
        self.files.setToolTip(
            tr(
                "Double-click a file to open it in the app this computer uses for it; "
                "right-click to save a copy"
            )
        )
        content.addWidget(self.files)

        self.variants_heading = self._heading(tr("Variants"))
        content.addWidget(self.variants_heading)
        self.variants = QWidget()
        self.variants.setAccessibleName(tr("Variants of the model"))
        self._variant_list = QVBoxLayout(self.variants)
        self._variant_list.setContentsMargins(0, 0, 0, 0)
        self.variant_cards: list[VariantCard] = []
        content.addWidget(self.variants)
        self.no_variants = self._label(tr("Variants"))
        self.no_variants.setText(
            tr("No sliced variants yet: drop a sliced file of this model on the window.")
        )
        content.addWidget(self.no_variants)
        content.addStretch(1)

        layout.addWidget(self.content)
        self.setWidget(body)
        self.show_detail(None, "g")

    def _label(self, accessible: str) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAccessibleName(accessible)
        return label

    def _heading(self, text: str) -> QLabel:
        label = QLabel(text)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label

    def _ask(self, signal: SignalInstance) -> None:
        if self.detail is not None:
            signal.emit(self.detail.model.id)

    # ---------------------------------------------------------------- contents

    def show_detail(
        self,
        detail: ModelDetail | None,
        unit: WeightUnit,
        costs: Mapping[str, CostBreakdown] | None = None,
        currency: str = "",
    ) -> None:
        """Show `detail` (None: the placeholder), with weights in `unit` and each variant's print cost per
        unit from `costs` (by variant id) in `currency`."""
        self.detail = detail
        self.placeholder.setVisible(detail is None)
        self.content.setVisible(detail is not None)
        self.set_status("")
        if detail is None:
            return
        model = detail.model
        self.title.setText(model.name)
        designer = html.escape(model.designer_name or tr("not given"))
        if model.designer_url.startswith(("http://", "https://")):
            designer = f'<a href="{html.escape(model.designer_url, quote=True)}">{designer}</a>'
        self.designer.setText(tr("Designer: {designer}").format(designer=designer))
        self.licence.setText(tr("Licence: {licence}").format(licence=model.licence_spdx or tr("not given")))
        self.selling.show_for(model.licence_allows_selling, model.licence_spdx)
        facts = []
        if model.category:
            facts.append(tr("Category: {category}").format(category=model.category))
        if model.tags:
            facts.append(tr("Tags: {tags}").format(tags=", ".join(model.tags)))
        self.category.setText("\n".join(facts))
        self.category.setVisible(bool(facts))
        notes = "\n\n".join(t for t in (model.description, model.notes) if t)
        self.notes.setText(notes)
        self.notes.setVisible(bool(notes))
        self._show_picture()

        self.files.clear()
        for entry in detail.files:
            item = QTreeWidgetItem([entry.name, self._role(entry.role), file_size(entry.size)])
            item.setToolTip(0, entry.name)
            item.setData(0, Qt.ItemDataRole.UserRole, entry)
            self.files.addTopLevelItem(item)
        self.files.resizeColumnToContents(1)
        self.files.resizeColumnToContents(2)
        self.files_heading.setVisible(bool(detail.files))
        self.files.setVisible(bool(detail.files))

        for card in self.variant_cards:
            self._variant_list.removeWidget(card)
            card.hide()
            card.deleteLater()
        costs = costs or {}
        self.variant_cards = [
            VariantCard(variant, unit, costs.get(variant.id), currency) for variant in detail.variants
        ]
        for card in self.variant_cards:
            self._variant_list.addWidget(card)
            if card.variant.sliced_file is not None:
                entry = card.variant.sliced_file
                card.open_button.clicked.connect(lambda _checked=False, e=entry: self.open_requested.emit(e))
                card.save_button.clicked.connect(lambda _checked=False, e=entry: self.save_requested.emit(e))
            sha = card.variant.thumbnail_sha256
            card.set_picture(self._variant_pictures.pixmap(sha) if sha else None)
        self.variants.setVisible(bool(detail.variants))
        self.no_variants.setVisible(not detail.variants)
        self.variants_heading.setText(
            tr("Variants ({n})").format(n=len(detail.variants)) if detail.variants else tr("Variants")
        )
        mesh = detail.mesh
        self.preview_button.setEnabled(mesh is not None)
        self.preview_button.setToolTip(
            tr("Show {name} in 3D").format(name=mesh.name) if mesh else tr("This model has no mesh file.")
        )

    def _ask_for_current_file(self, signal: SignalInstance) -> None:
        item = self.files.currentItem()
        entry = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if isinstance(entry, FileEntry):
            signal.emit(entry)

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    @staticmethod
    def _role(role: str) -> str:
        return {"mesh": tr("Mesh"), "image": tr("Picture"), "document": tr("Document")}.get(role, role)

    def _show_picture(self) -> None:
        sha = self.detail.thumbnail_sha256 if self.detail else None
        pixmap = self._pictures.pixmap(sha) if sha else None
        if pixmap is not None:
            self.picture.setPixmap(pixmap)
            self.picture.setText("")
        else:
            self.picture.setPixmap(QPixmap())
            self.picture.setText(
                tr("Loading…") if sha and self._pictures.is_loading(sha) else tr("No picture")
            )

    def _picture_ready(self, sha256: str) -> None:
        if self.detail is not None and self.detail.thumbnail_sha256 == sha256:
            self._show_picture()

    def _variant_picture_ready(self, sha256: str) -> None:
        if self.detail is None:
            return
        pixmap = self._variant_pictures.pixmap(sha256)
        if pixmap is None:
            return
        for card in self.variant_cards:
            if card.variant.thumbnail_sha256 == sha256:
                card.set_picture(pixmap)
