"""QR labels for spools and products, and finding the record a scanned or typed code names.

A label has a title, a few lines of text and a code. The code is what the QR holds and what a USB barcode
scanner types (the characters, then Enter), so it is short, plain ASCII and readable by a person:

    PS-S-0A1B2C3D4E5F   a spool     (PS = Printstall, S = spool, then the last 12 hex digits of its id)
    PS-P-0A1B2C3D4E5F   a product   (P = product)

Ids are UUIDv7: their last 12 hex digits are random (48 bits), so two records of a kind are unlikely to share
them before there are millions; should two share them, a label's code takes more digits of the id until it
names one record (and reading a code that fits two says so rather than guess). Codes are upper case, which QR
stores in its compact alphanumeric mode (version 1, 21 x 21 modules, at error correction M). Reading is
forgiving: case, surrounding spaces and the separators are ignored (a scanner set to another keyboard layout
may type the hyphen as something else), so `ps-s-0a1b2c3d4e5f` and `PSS0A1B2C3D4E5F` work, and 8 or more
trailing digits of the id are enough. `find_by_code` also takes a product's SKU.

`labels_pdf` draws labels with fpdf2 (the QR as filled rectangles, no image files): a sheet of 21 on A4
(3 x 7 labels of 63.5 x 38.1 mm, the L7160 layout sold by Avery, Herma and others) or one label per page of
62 x 29 mm for a label printer on 62 mm tape (Brother QL, DK-11209).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select

from core.db.base import Record
from core.db.models import Product, Spool
from core.errors import ValidationError
from core.services import filament, products, settings
from core.services.exports import PdfFonts, money_text, new_pdf, pdf_bytes, write_atomically
from core.workspace import Workspace

if TYPE_CHECKING:
    from fpdf import FPDF

Kind = Literal["spool", "product"]
PREFIX = "PS"
LETTERS: dict[Kind, str] = {"spool": "S", "product": "P"}
KINDS: dict[str, Kind] = {letter: kind for kind, letter in LETTERS.items()}
MODELS: dict[Kind, type[Record]] = {"spool": Spool, "product": Product}
CODE_DIGITS = 12  # hex digits of the id in a code (more only where two records share them)
MIN_DIGITS = 8  # fewest a typed code may give
OUNCE_MG = Decimal("28349.523125")
_CODE = re.compile(rf"{PREFIX}([{''.join(KINDS)}])([0-9A-F]{{{MIN_DIGITS},32}})")


@dataclass(frozen=True)
class Label:
    kind: Kind
    id: str
    title: str
    lines: tuple[str, ...]
    code: str


@dataclass(frozen=True)
class Found:
    kind: Kind
    id: str
    via: Literal["code", "sku"]


# ---------------------------------------------------------------- codes


def _hex(record_id: str) -> str:
    try:
        return uuid.UUID(record_id).hex
    except ValueError as exc:
        raise ValidationError(f"{record_id!r} is not a record id; it cannot have a label.") from exc


def code_for(kind: Kind, record_id: str, digits: int = CODE_DIGITS) -> str:
    """The code of a record from the last `digits` hex digits of its id. A label prints `unique_code`, which
    makes sure that no other record shares it."""
    return f"{PREFIX}-{LETTERS[kind]}-{_hex(record_id)[-digits:].upper()}"


def _matches(ws: Workspace, kind: Kind, digits: str) -> list[str]:
    """Ids of the live records of `kind` whose id ends with the hex `digits` (lower case)."""
    model = MODELS[kind]
    tail = digits[-12:]  # the last group of a UUID's text holds 12 digits and no hyphen
    with ws.read() as session:
        ids = session.scalars(
            select(model.id).where(
                model.owner_id == ws.owner_id, model.deleted.is_(False), model.id.endswith(tail)
            )
        ).all()
    return [i for i in ids if i.replace("-", "").lower().endswith(digits)]


def unique_code(ws: Workspace, kind: Kind, record_id: str) -> str:
    """The shortest code, from 12 digits up, that names this record and no other live one of its kind."""
    full = _hex(record_id)
    others = [i.replace("-", "").lower() for i in _matches(ws, kind, full[-CODE_DIGITS:]) if i != record_id]
    digits = CODE_DIGITS
    while any(other.endswith(full[-digits:]) for other in others):
        digits += 1
    return code_for(kind, record_id, digits)


def parse_code(text: str) -> tuple[Kind, str] | None:
    """(kind, lower-case hex digits) of a label code as scanned or typed, or None when it is not one."""
    compact = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    match = _CODE.fullmatch(compact)
    if match is None:
        return None
    return KINDS[match.group(1)], match.group(2).lower()


def find_by_code(ws: Workspace, text: str) -> Found | None:
    """The spool or product a label code (or a product's SKU) names; None when none does.

    A code or SKU that names more than one record (two devices can make the same SKU offline) is a
    ValidationError that says so, never a guess.
    """
    text = text.strip()
    if not text:
        return None
    parsed = parse_code(text)
    if parsed is not None:
        kind, digits = parsed
        ids = _matches(ws, kind, digits)
        if len(ids) > 1:
            raise ValidationError(
                f"The code {text!r} fits {len(ids)} {kind}s; print their labels again to tell them apart."
            )
        if ids:
            return Found(kind, ids[0], "code")
    wanted = text.casefold()
    with ws.read() as session:
        rows = session.execute(
            select(Product.id, Product.name, Product.sku).where(
                Product.owner_id == ws.owner_id, Product.deleted.is_(False), Product.sku != ""
            )
        ).all()
    hits = [(pid, name) for pid, name, sku in rows if sku.strip().casefold() == wanted]
    if len(hits) > 1:
        names = ", ".join(sorted(name for _, name in hits))
        raise ValidationError(
            f"The SKU {text!r} belongs to {len(hits)} products ({names}); give each its own."
        )
    return Found("product", hits[0][0], "sku") if hits else None


# ---------------------------------------------------------------- labels


def _weight(mg: int, unit: str) -> str:
    if unit == "oz":
        return f"{Decimal(mg) / OUNCE_MG:,.1f} oz"
    return f"{Decimal(mg) / 1000:,.0f} g"


def label_for_spool(ws: Workspace, spool_id: str) -> Label:
    """A spool's label: its filament, the weight left now, where it is kept and its lot."""
    spool = filament.get_spool(ws, spool_id)
    unit = str(settings.get(ws, "weight_unit"))
    left = f"{_weight(spool.remaining_mg, unit)} left of {_weight(spool.initial_weight_mg, unit)}"
    lines = [left]
    if spool.location:
        lines.append(f"Location: {spool.location}")
    if spool.lot:
        lines.append(f"Lot: {spool.lot}")
    return Label("spool", spool.id, spool.label, tuple(lines), unique_code(ws, "spool", spool.id))


def label_for_product(ws: Workspace, product_id: str) -> Label:
    """A product's label: its name, SKU and price."""
    product = products.get_product(ws, product_id)
    lines = [f"SKU: {product.sku}"] if product.sku else []
    lines.append(money_text(product.price_cents, str(settings.get(ws, "currency"))))
    return Label("product", product.id, product.name, tuple(lines), unique_code(ws, "product", product.id))


def qr_matrix(code: str) -> list[list[bool]]:
    """The QR symbol of `code` (error correction M) as rows of modules, True for dark, without the quiet
    zone: leave a light margin of 4 modules around it when drawing it."""
    import segno  # here, not at the top: the CLI need not load it for every command

    if not code:
        raise ValidationError("An empty code cannot be made into a QR code.")
    qr = segno.make(code, error="m", boost_error=False, micro=False)
    return [[bool(module) for module in row] for row in qr.matrix_iter(scale=1, border=0)]


# ---------------------------------------------------------------- printing


@dataclass(frozen=True)
class PageLayout:
    """Labels on a page, in millimetres."""

    width: float
    height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    left: float  # of the first label
    top: float
    pitch_x: float  # from one label's left edge to the next one's
    pitch_y: float
    padding: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


PAGES: dict[str, PageLayout] = {
    "A4": PageLayout(210, 297, 3, 7, 63.5, 38.1, 7.25, 15.15, 66.0, 38.1, 3.0),
    "label-62mm": PageLayout(62, 29, 1, 1, 62, 29, 0, 0, 62, 29, 1.5),
}
QUIET_MODULES = 2  # light modules drawn around the symbol; the label's padding adds to them
CODE_HEIGHT = 2.8  # of the code's line under the symbol
CODE_PT, CODE_MIN_PT = 6.0, 3.5
TITLE_PT, TITLE_LINE, TITLE_LINES = 9.0, 3.8, 2
TEXT_PT, TEXT_LINE = 7.0, 3.2
LabelFont = Literal["mono", "bold", "sans"]


def qr_rects(code: str, x: float, y: float, side: float) -> list[tuple[float, float, float, float]]:
    """The dark parts of the code's symbol drawn in a square of `side` at (x, y), quiet zone included, as
    (left, top, width, height) rectangles: one per run of dark modules in a row, a hair taller so no seam
    shows between rows. The PDF and the printed labels draw the same rectangles."""
    matrix = qr_matrix(code)
    module = side / (len(matrix) + 2 * QUIET_MODULES)
    left, top = x + QUIET_MODULES * module, y + QUIET_MODULES * module
    rects = []
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            rects.append((left + start * module, top + r * module, (c - start) * module, module + 0.02))
    return rects


def _draw_qr(pdf: FPDF, code: str, x: float, y: float, side: float) -> None:
    pdf.set_fill_color(0, 0, 0)
    for left, top, width, height in qr_rects(code, x, y, side):
        pdf.rect(left, top, width, height, style="F")


def qr_side(layout: PageLayout) -> float:
    """The side of a label's QR square (quiet modules included), in millimetres."""
    return min(layout.label_height - 2 * layout.padding - CODE_HEIGHT, layout.label_width * 0.42)


def fit_line(text: str, width: float, measure: Callable[[str], float], ellipsis: str) -> str:
    """`text` cut to `width` (as `measure` has it) with an ellipsis where it had to be cut."""
    if measure(text) <= width:
        return text
    while text and measure(text + ellipsis) > width:
        text = text[:-1]
    return text.rstrip() + ellipsis


def wrap_words(
    text: str, width: float, max_lines: int, measure: Callable[[str], float], ellipsis: str
) -> list[str]:
    """Words of `text` in lines of `width` at most, the last cut with an ellipsis when they do not fit."""
    words = text.split()
    lines: list[str] = []
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and measure(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        lines[-1] = f"{lines[-1]} {' '.join(words)}"
    return [fit_line(line, width, measure, ellipsis) for line in lines]


@dataclass(frozen=True)
class TextCell:
    """A line of a label's text, in a cell as fpdf writes it (millimetres; the font's size in points)."""

    font: LabelFont
    size: float
    text: str
    x: float
    y: float
    w: float
    h: float
    centre: bool = False


def label_cells(
    label: Label,
    layout: PageLayout,
    x: float,
    y: float,
    measure: Callable[[LabelFont, float, str], float],
    *,
    ellipsis: str = "\u2026",
    clean: Callable[[str], str] = str,
) -> Iterator[TextCell]:
    """The text of a label with its corner at (`x`, `y`): the code under the QR square, the title and the
    lines beside it, each fitted to its cell. `measure` is a text's width in millimetres in a font; `clean`
    makes text the fonts can write. Lazy, in drawing order: each cell is measured just before it is drawn."""
    pad = layout.padding
    side = qr_side(layout)
    size = CODE_PT
    while size > CODE_MIN_PT and measure("mono", size, label.code) > side:
        size -= 0.5
    yield TextCell("mono", size, label.code, x + pad, y + pad + side, side, CODE_HEIGHT, centre=True)

    text_x = x + pad + side + 1.5
    text_w = x + layout.label_width - pad - text_x
    bottom = y + layout.label_height - pad
    line_y = y + pad + 1.0
    title = clean(label.title)
    for line in wrap_words(title, text_w, TITLE_LINES, lambda t: measure("bold", TITLE_PT, t), ellipsis):
        yield TextCell("bold", TITLE_PT, line, text_x, line_y, text_w, TITLE_LINE)
        line_y += TITLE_LINE
    line_y += 0.8
    for line in label.lines:
        if line_y + TEXT_LINE > bottom:
            break
        fitted = fit_line(clean(line), text_w, lambda t: measure("sans", TEXT_PT, t), ellipsis)
        yield TextCell("sans", TEXT_PT, fitted, text_x, line_y, text_w, TEXT_LINE)
        line_y += TEXT_LINE


def _draw_label(pdf: FPDF, fonts: PdfFonts, label: Label, x: float, y: float, layout: PageLayout) -> None:
    _draw_qr(pdf, label.code, x + layout.padding, y + layout.padding, qr_side(layout))
    styles = {"mono": (fonts.mono, ""), "bold": (fonts.sans, "B"), "sans": (fonts.sans, "")}

    def measure(font: LabelFont, size: float, text: str) -> float:
        pdf.set_font(*styles[font], size)
        return float(pdf.get_string_width(text))

    for cell in label_cells(label, layout, x, y, measure, ellipsis=fonts.ellipsis, clean=fonts.clean):
        pdf.set_font(*styles[cell.font], cell.size)
        pdf.set_xy(cell.x, cell.y)
        pdf.cell(cell.w, cell.h, cell.text, align="C" if cell.centre else "L")


Place = tuple[int, Label]  # (the place on the page, counted across then down; the label there)


def layout_of(page: str) -> PageLayout:
    layout = PAGES.get(page)
    if layout is None:
        raise ValidationError(f"There is no page {page!r}; choose one of {', '.join(PAGES)}.")
    return layout


def arrange(
    labels: Sequence[Label], *, page: str = "A4", copies: int = 1, skip: int = 0
) -> list[list[Place]]:
    """The pages, each the labels on it with their places: `copies` of each label, one after the other;
    `skip` leaves that many places empty at the start of the first sheet (labels already peeled off)."""
    layout = layout_of(page)
    if not labels:
        raise ValidationError("There are no labels to print.")
    if copies < 1:
        raise ValidationError("Print at least 1 copy of each label.")
    if skip and layout.per_page == 1:
        raise ValidationError(f"Places can be skipped on a sheet of labels, not on {page}.")
    if not 0 <= skip < layout.per_page:
        raise ValidationError(
            f"There are {layout.per_page} places on a sheet: skip 0 to {layout.per_page - 1}."
        )
    pages: list[list[Place]] = []
    for place, label in enumerate((label for label in labels for _ in range(copies)), start=skip):
        cell = place % layout.per_page
        if cell == 0 or not pages:
            pages.append([])
        pages[-1].append((cell, label))
    return pages


def labels_pdf_bytes(
    labels: Sequence[Label], *, page: str = "A4", copies: int = 1, skip: int = 0
) -> tuple[bytes, int]:
    """The labels as PDF bytes, and the number of pages. `copies` of each label, one after the other;
    `skip` leaves that many places empty at the start of the first sheet (labels already peeled off)."""
    layout = layout_of(page)
    pdf, fonts = new_pdf(layout.width, layout.height, "Labels")
    pdf.set_text_color(0, 0, 0)
    for places in arrange(labels, page=page, copies=copies, skip=skip):
        pdf.add_page()
        for cell, label in places:
            x = layout.left + (cell % layout.columns) * layout.pitch_x
            y = layout.top + (cell // layout.columns) * layout.pitch_y
            _draw_label(pdf, fonts, label, x, y, layout)
    return pdf_bytes(pdf), pdf.pages_count


def labels_pdf(
    labels: Sequence[Label], path: Path, *, page: str = "A4", copies: int = 1, skip: int = 0
) -> int:
    """Write the labels to a PDF (all or nothing; see `labels_pdf_bytes`). Returns the number of pages."""
    data, pages = labels_pdf_bytes(labels, page=page, copies=copies, skip=skip)
    write_atomically(path, data)
    return pages
