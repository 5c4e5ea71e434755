"""Files a maker takes elsewhere: stock, sales and an event's report as CSV or XLSX, an event's packing list
as a PDF, a copy of a stored file (a model's mesh, a variant's sliced file) under its own name; and the file
writing that every such file shares (labels use it too).

Each export is first a `Table` (rows of plain cells), then a file. Money is a `Decimal` of whole units with
two decimals (cents / 100) in the currency of the settings, which each money column names in its header
("Price (EUR)"): CSV writes it with a dot decimal ("6.00"), XLSX as a number with the format `#,##0.00`.
Times are the computer's local time. CSV is UTF-8 with a byte-order mark, so spreadsheet programs read
accents right.

Writing is all or nothing (`write_atomically`): the file is made in full under a temporary name beside the
target, flushed to disk and renamed over it, so a failure leaves the old file (or no file) and no half-written
one. A target that cannot be written is a `StoreError` with one sentence.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.db.models import MarketEvent, Product
from core.errors import StoreError, ValidationError
from core.services import costing, events, products, reports, settings
from core.timeutil import parse
from core.workspace import Workspace

if TYPE_CHECKING:
    from fpdf import FPDF

FORMATS = ("csv", "xlsx")
MONEY_FORMAT = "#,##0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
COPY_CHUNK = 1024 * 1024

Cell = str | int | Decimal | datetime | None


def money(cents: int) -> Decimal:
    """Cents as a decimal amount with two places: 650 -> Decimal('6.50')."""
    return Decimal(cents).scaleb(-2)


def money_text(cents: int, currency: str) -> str:
    """'1,234.50 EUR', for labels and printed lists."""
    return f"{money(cents):,.2f} {currency}"


# ---------------------------------------------------------------- writing a file all or nothing


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write `data` (bytes, or chunks of them) to `path` in full or not at all (see the module docstring)."""
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise StoreError(f"Cannot write {path}: it is a folder; give a file name.")
    if not folder.is_dir():
        raise StoreError(f"Cannot write {path}: the folder {folder} does not exist.")
    temporary = folder / f".{path.name}.{secrets.token_hex(4)}.partial"
    try:
        # os.open applies the user's umask, so the file gets the permissions a plainly written one would.
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            for chunk in [data] if isinstance(data, bytes) else data:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(handle, view) :]
            os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        reason = exc.strerror or str(exc)
        hint = " (is it open in another program?)" if isinstance(exc, PermissionError) else ""
        raise StoreError(f"Cannot write {path}: {reason}{hint}.") from exc


# ---------------------------------------------------------------- tables and their files


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    style: str = "data"  # data (a record), header (column names), total, info (anything else)


@dataclass(frozen=True)
class Table:
    """What an export holds, before it is a file: `Decimal` cells are money, `datetime` cells local times."""

    title: str  # the XLSX sheet's name
    rows: tuple[Row, ...]
    header_row: bool = True  # the first row names the columns (XLSX keeps it in view)

    @property
    def data_rows(self) -> int:
        return sum(row.style == "data" for row in self.rows)


def format_for(path: Path, format: str | None) -> str:
    """The format asked for, else the one the file name ends with."""
    chosen = (format or Path(path).suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        if format:
            raise ValidationError(f"Cannot export as {format!r}; choose one of {', '.join(FORMATS)}.")
        raise ValidationError(f"Say which format to write {Path(path).name} in: {', '.join(FORMATS)}.")
    return chosen


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row.cells])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(table: Table) -> bytes:
    # openpyxl and fpdf2 are imported where they are used: they would add half a second to every CLI command.
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:31] or "Sheet"
    bold = Font(bold=True)
    shade = PatternFill("solid", fgColor="E8E8E8")
    widths: dict[int, int] = {}
    for r, row in enumerate(table.rows, start=1):
        for c, value in enumerate(row.cells, start=1):
            if value is None or value == "":
                continue  # an empty cell, not an empty text
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a name that starts with "=" is text, not a formula
            elif isinstance(value, Decimal):
                cell.number_format = MONEY_FORMAT
            elif isinstance(value, datetime):
                cell.number_format = TIME_FORMAT
            if row.style in ("header", "total"):
                cell.font = bold
            if row.style == "header":
                cell.fill = shade
            shown = len(_csv_cell(value))
            widths[c] = max(widths.get(c, 0), min(shown + 2, 60))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = max(width, 8)
    if table.header_row:
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_table(table: Table, path: Path, format: str | None = None) -> int:
    """Write a table as CSV or XLSX (default: by the file name). Returns the number of data rows."""
    chosen = format_for(path, format)
    write_atomically(path, csv_bytes(table) if chosen == "csv" else xlsx_bytes(table))
    return table.data_rows


# ---------------------------------------------------------------- a copy of a stored file


def export_file(ws: Workspace, sha256: str, path: Path) -> int:
    """Copy the stored file `sha256` to `path`, all or nothing; its size in bytes. A file this computer does
    not hold (made on another one, not downloaded yet) is a `StoreError`."""
    source = ws.blobs.path_for(sha256)
    try:
        handle = source.open("rb")
    except FileNotFoundError as exc:
        raise StoreError("The file is not on this computer; sign in and sync to download it.") from exc
    except OSError as exc:
        raise StoreError(f"Cannot read the stored file: {exc.strerror or exc}.") from exc
    with handle:
        write_atomically(path, iter(lambda: handle.read(COPY_CHUNK), b""))
    return source.stat().st_size


# ---------------------------------------------------------------- stock


def stock_table(ws: Workspace, *, include_archived: bool = False) -> Table:
    """Every product with its stock at home, low-stock level, price and unit cost (with costing's notes)."""
    currency = settings.get(ws, "currency")
    items = products.list_products(ws, include_archived=include_archived)
    costs = costing.product_costs(ws, [p.id for p in items]) if items else {}
    header = Row(
        (
            "Name",
            "SKU",
            "Kind",
            "On hand",
            "Low at",
            f"Price ({currency})",
            f"Unit cost ({currency})",
            "Notes",
        ),
        "header",
    )
    rows = [
        Row(
            (
                p.name,
                p.sku,
                p.kind,
                p.on_hand,
                p.low_stock,
                money(p.price_cents),
                money(costs[p.id].total_cents),
                " ".join(costs[p.id].warnings),
            )
        )
        for p in sorted(items, key=lambda p: p.name.casefold())
    ]
    return Table("Stock", (header, *rows))


def export_stock(
    ws: Workspace, path: Path, *, format: str | None = None, include_archived: bool = False
) -> int:
    return write_table(stock_table(ws, include_archived=include_archived), path, format)


# ---------------------------------------------------------------- sales


def _local(at: str) -> datetime:
    """A stored UTC time as the computer's local wall-clock time (spreadsheets have no time zones)."""
    return parse(at).astimezone().replace(tzinfo=None, microsecond=0)


def sales_table(ws: Workspace, event_id: str | None = None) -> Table:
    """Every sale (of one event, or all), oldest first. A sale taken back stays, and the entry that takes it
    back is a row of the opposite quantity, so the totals of the rows are what was really sold."""
    currency = settings.get(ws, "currency")
    if event_id is not None:
        events.get_event(ws, event_id)  # NotFound for an unknown event
    sold = events.sales(ws, event_id)
    with ws.read() as session:
        names = {
            pid: (name, sku)
            for pid, name, sku in session.execute(
                select(Product.id, Product.name, Product.sku).where(
                    Product.owner_id == ws.owner_id, Product.id.in_({s.product_id for s in sold})
                )
            ).all()
        }
        event_names = dict(
            session.execute(
                select(MarketEvent.id, MarketEvent.name).where(
                    MarketEvent.owner_id == ws.owner_id,
                    MarketEvent.id.in_({s.event_id for s in sold if s.event_id}),
                )
            ).all()
        )
    header = Row(
        (
            "Time",
            "Event",
            "Product",
            "SKU",
            "Quantity",
            f"Unit price ({currency})",
            f"Total ({currency})",
            "Payment",
            "Oversold",
            "Note",
        ),
        "header",
    )
    rows = []
    for s in sold:
        name, sku = names.get(s.product_id, ("(deleted product)", ""))
        rows.append(
            Row(
                (
                    _local(s.at),
                    event_names.get(s.event_id, "") if s.event_id else "",
                    name,
                    sku,
                    s.quantity,
                    money(s.unit_price_cents),
                    money(s.quantity * s.unit_price_cents),
                    s.payment_method,
                    "yes" if s.oversold else "no",
                    "takes back a sale" if s.undoes_sale_id else "",
                )
            )
        )
    return Table("Sales", (header, *rows))


def export_sales(ws: Workspace, path: Path, *, event_id: str | None = None, format: str | None = None) -> int:
    return write_table(sales_table(ws, event_id), path, format)


# ---------------------------------------------------------------- an event's report


def _dates(starts_on: str | None, ends_on: str | None) -> str:
    if starts_on and ends_on and ends_on != starts_on:
        return f"{starts_on} to {ends_on}"
    return starts_on or ends_on or ""


def report_table(ws: Workspace, event_id: str) -> Table:
    """`reports.event_report` as rows: the event, the products sold with their totals, the booth fee, travel
    and profit, then the revenue by payment method. The totals are the report's, so the file adds up."""
    return _report_table(reports.event_report(ws, event_id), settings.get(ws, "currency"))


def _report_table(report: reports.EventReport, currency: str) -> Table:
    event = report.event
    blank = Row((), "info")
    rows: list[Row] = [Row(("Event", event.name), "total")]
    if event.starts_on or event.ends_on:
        rows.append(Row(("Dates", _dates(event.starts_on, event.ends_on)), "info"))
    if event.venue:
        rows.append(Row(("Venue", event.venue), "info"))
    rows += [
        blank,
        Row(
            (
                "Product",
                "Units",
                f"Revenue ({currency})",
                f"Unit cost ({currency})",
                f"Cost of goods ({currency})",
                f"Gross profit ({currency})",
            ),
            "header",
        ),
    ]
    rows += [
        Row(
            (
                line.name,
                line.units,
                money(line.revenue_cents),
                money(line.unit_cost_cents),
                money(line.cogs_cents),
                money(line.profit_cents),
            )
        )
        for line in report.lines
    ]
    rows += [
        Row(
            (
                "Total",
                report.units,
                money(report.revenue_cents),
                None,
                money(report.cogs_cents),
                money(report.revenue_cents - report.cogs_cents),
            ),
            "total",
        ),
        blank,
        Row((f"Booth fee ({currency})", money(event.booth_fee_cents)), "info"),
        Row((f"Travel ({currency})", money(event.travel_cost_cents)), "info"),
        Row((f"Profit ({currency})", money(report.profit_cents)), "total"),
        blank,
        Row(("Payment", f"Revenue ({currency})"), "header"),
    ]
    rows += [Row((method, money(cents)), "info") for method, cents in report.by_payment.items()]
    if report.oversold:
        rows += [blank, Row(("Sold beyond the stock (count again)", ", ".join(report.oversold)), "info")]
    return Table("Report", tuple(rows), header_row=False)


def export_event_report(ws: Workspace, event_id: str, path: Path, *, format: str | None = None) -> int:
    """Returns the number of products sold."""
    return write_table(report_table(ws, event_id), path, format)


# ---------------------------------------------------------------- PDF documents


def _font_folder() -> Path | None:
    """The DejaVu fonts matplotlib ships (Latin, Greek, Cyrillic), found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        folder = Path(location) / "mpl-data" / "fonts" / "ttf"
        if all((folder / name).is_file() for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")):
            return folder
    return None


@dataclass(frozen=True)
class PdfFonts:
    sans: str
    mono: str
    unicode: bool

    def clean(self, text: str) -> str:
        """Text the fonts can write: with the built-in PDF fonts only Latin-1 (others become '?')."""
        if self.unicode:
            return text
        return text.replace("\u2026", "...").encode("latin-1", "replace").decode("latin-1")

    @property
    def ellipsis(self) -> str:
        return "\u2026" if self.unicode else "..."


def new_pdf(width_mm: float, height_mm: float, title: str) -> tuple[FPDF, PdfFonts]:
    """A PDF with pages of the given size in millimetres, no automatic page breaks, and fonts for any text."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format=(width_mm, height_mm))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creator("Printstall")
    folder = _font_folder()
    if folder is not None:
        pdf.add_font("sans", "", str(folder / "DejaVuSans.ttf"))
        pdf.add_font("sans", "B", str(folder / "DejaVuSans-Bold.ttf"))
        mono = "sans"
        if (folder / "DejaVuSansMono.ttf").is_file():
            pdf.add_font("mono", "", str(folder / "DejaVuSansMono.ttf"))
            mono = "mono"
        fonts = PdfFonts("sans", mono, unicode=True)
    else:
        fonts = PdfFonts("helvetica", "courier", unicode=False)
    pdf.set_title(fonts.clean(title))
    return pdf, fonts


def fit_text(pdf: FPDF, fonts: PdfFonts, text: str, width: float) -> str:
    """`text` cut to `width` (in the current font) with an ellipsis where it had to be cut."""
    text = fonts.clean(text)
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + fonts.ellipsis) > width:
        text = text[:-1]
    return text.rstrip() + fonts.ellipsis


def pdf_bytes(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


# ---------------------------------------------------------------- the packing list


@dataclass(frozen=True)
class PackingLine:
    product_id: str
    name: str
    sku: str
    target: int
    packed: int
    at_home: int

    @property
    def to_pack(self) -> int:
        return max(0, self.target - self.packed)


def packing_lines(ws: Workspace, event_id: str) -> list[PackingLine]:
    items = events.packing_list(ws, event_id)
    with ws.read() as session:
        found = {
            p.id: p
            for p in session.scalars(
                select(Product).where(
                    Product.owner_id == ws.owner_id, Product.id.in_([i.product_id for i in items])
                )
            )
        }
    home = {p.id: p.on_hand for p in products.list_products(ws, include_archived=True)}
    return [
        PackingLine(
            product_id=item.product_id,
            name=item.product_name,
            sku=found[item.product_id].sku if item.product_id in found else "",
            target=item.target,
            packed=item.packed,
            at_home=home.get(item.product_id, 0),
        )
        for item in items
    ]


A4 = (210.0, 297.0)
_COLUMNS = (  # title, width in mm, alignment
    ("", 10.0, "C"),  # the checkbox
    ("Product", 76.0, "L"),
    ("SKU", 30.0, "L"),
    ("Target", 16.0, "R"),
    ("Packed", 16.0, "R"),
    ("To pack", 16.0, "R"),
    ("At home", 16.0, "R"),
)


def packing_list_bytes(ws: Workspace, event_id: str, *, today: date | None = None) -> tuple[bytes, int]:
    """The packing list as PDF bytes (A4), and its number of pages."""
    event = events.get_event(ws, event_id)
    lines = packing_lines(ws, event_id)
    title = f"Packing list: {event.name}"
    pdf, fonts = new_pdf(*A4, title)
    pdf.c_margin = 1.5  # space between a cell's edge and its text
    margin, row_h, box = 15.0, 8.0, 4.5
    width = A4[0] - 2 * margin
    last_row = A4[1] - margin - 10  # rows end here; the footer goes below
    printed = (today or date.today()).isoformat()

    def new_page() -> None:
        pdf.add_page()
        pdf.set_font(fonts.sans, "", 8)
        pdf.set_xy(margin, A4[1] - margin - 5)
        pdf.cell(width, 5, fit_text(pdf, fonts, event.name, width / 2))
        pdf.set_xy(margin, A4[1] - margin - 5)
        footer = f"printed {printed} - page {pdf.page_no()} of {pdf.str_alias_nb_pages}"
        pdf.cell(width, 5, footer, align="R")
        pdf.set_xy(margin, margin)
        pdf.set_font(fonts.sans, "B", 16)
        pdf.cell(width, 8, fit_text(pdf, fonts, title, width))
        y = margin + 10
        if pdf.page_no() == 1:
            pdf.set_font(fonts.sans, "", 10)
            for detail in (_dates(event.starts_on, event.ends_on), event.venue):
                if detail:
                    pdf.set_xy(margin, y)
                    pdf.cell(width, 5.5, fit_text(pdf, fonts, detail, width))
                    y += 5.5
        pdf.set_xy(margin, y + 4)
        pdf.set_font(fonts.sans, "B", 9)
        pdf.set_fill_color(232, 232, 232)
        for head, w, align in _COLUMNS:
            pdf.cell(w, row_h, head, border="B", fill=True, align=align)
        pdf.set_xy(margin, y + 4 + row_h)

    def row(cells: Sequence[str], *, bold: bool = False, checkbox: bool = False) -> None:
        if pdf.get_y() + row_h > last_row:
            new_page()
        y = pdf.get_y()
        if checkbox:
            pdf.set_draw_color(80, 80, 80)
            pdf.rect(margin + (_COLUMNS[0][1] - box) / 2, y + (row_h - box) / 2, box, box)
        pdf.set_draw_color(190, 190, 190)
        pdf.set_xy(margin, y)
        for (head, w, align), text in zip(_COLUMNS, cells, strict=True):
            if head == "SKU":
                pdf.set_font(fonts.mono, "", 9)
            else:
                pdf.set_font(fonts.sans, "B" if bold else "", 10)
            text = fit_text(pdf, fonts, text, w - 2 * pdf.c_margin)
            pdf.cell(w, row_h, text, border="" if bold else "B", align=align)
        pdf.set_xy(margin, y + row_h)

    new_page()
    for line in lines:
        numbers = (line.target, line.packed, line.to_pack, line.at_home)
        row(["", line.name, line.sku, *map(str, numbers)], checkbox=True)
    if lines:
        totals = (sum(x.target for x in lines), sum(x.packed for x in lines), sum(x.to_pack for x in lines))
        row(["", "Total", "", *map(str, totals), ""], bold=True)
    else:
        row(["", "Nothing is on the packing list yet.", "", "", "", "", ""])
    return pdf_bytes(pdf), pdf.pages_count


def packing_list_pdf(ws: Workspace, event_id: str, path: Path) -> int:
    """Write an event's packing list (a checkbox, target, packed and still to pack per product). Returns the
    number of pages."""
    data, pages = packing_list_bytes(ws, event_id)
    write_atomically(path, data)
    return pages
