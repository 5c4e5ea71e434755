"""QR labels: codes a scanner types that find their spool or product again, the QR symbol, PDF sheets."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest

from core.db.models import Product
from core.errors import NotFound, StoreError, ValidationError
from core.services import exports, filament, labels, products, settings
from core.workspace import Workspace
from tests.core.test_markets import Stall


def pdf_pages(data: bytes) -> int:
    """The pages of a PDF, counted from its page objects (and checked against the page tree's count)."""
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert [int(n) for n in re.findall(rb"/Count (\d+)", data)] == [pages]
    return pages


def page_size_mm(data: bytes) -> tuple[float, float]:
    match = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert match is not None
    return round(float(match.group(1)) * 25.4 / 72, 1), round(float(match.group(2)) * 25.4 / 72, 1)


def page_text(data: bytes) -> bytes:
    """The content streams of a PDF, inflated (text is readable there with the built-in fonts)."""
    # The end-of-line before "endstream" is left on the stream: compressed bytes may end in a "\r" themselves,
    # and a decompressor object stops at the end of the zlib data, whatever follows it.
    streams = re.findall(rb"stream\r?\n(.*?)endstream", data, re.S)
    out = []
    for stream in streams:
        try:
            out.append(zlib.decompressobj().decompress(stream))
        except zlib.error:
            out.append(stream)
    return b"\n".join(out)


@pytest.fixture
def shop(workspace: Workspace) -> Stall:
    shop = Stall(workspace)
    filament.edit_spool(workspace, shop.spool.id, location="Shelf A", lot="L-42")
    filament.record_usage(workspace, shop.spool.id, 150_000)
    products.edit_product(workspace, shop.keyring.id, sku="KR-Planet-01")
    return shop


# ---------------------------------------------------------------- codes


def test_label_codes_are_short_typeable_and_name_the_record(workspace: Workspace, shop: Stall) -> None:
    spool = labels.label_for_spool(workspace, shop.spool.id)
    product = labels.label_for_product(workspace, shop.keyring.id)
    assert re.fullmatch(r"PS-S-[0-9A-F]{12}", spool.code)
    assert re.fullmatch(r"PS-P-[0-9A-F]{12}", product.code)
    assert spool.code.endswith(shop.spool.id[-12:].upper())
    assert labels.find_by_code(workspace, spool.code) == labels.Found("spool", shop.spool.id, "code")
    assert labels.find_by_code(workspace, product.code) == labels.Found("product", shop.keyring.id, "code")


@pytest.mark.parametrize(
    "typed",
    [
        "{code}",
        "{code}\n",  # the scanner's Enter
        "  {lower}  ",
        "{lower}\r\n",
        "PS_S_{digits}",  # a scanner on another keyboard layout typing the hyphen as something else
        "pss{digits}",
        "PS-S-{last8}",  # 8 or more digits are enough, as on the command line
    ],
)
def test_a_scanned_or_typed_code_is_found_whatever_its_case_and_spacing(
    workspace: Workspace, shop: Stall, typed: str
) -> None:
    code = labels.label_for_spool(workspace, shop.spool.id).code
    digits = code.split("-")[-1]
    text = typed.format(code=code, lower=code.lower(), digits=digits, last8=digits[-8:])
    found = labels.find_by_code(workspace, text)
    assert found is not None and (found.kind, found.id) == ("spool", shop.spool.id)


def test_a_product_is_found_by_its_sku(workspace: Workspace, shop: Stall) -> None:
    for typed in ("KR-Planet-01", "kr-planet-01", "  KR-PLANET-01\n"):
        assert labels.find_by_code(workspace, typed) == labels.Found("product", shop.keyring.id, "sku")


@pytest.mark.parametrize(
    "typed", ["", "   ", "hello", "PS-S-", "PS-S-1234", "PS-X-0123456789AB", "KR-Planet"]
)
def test_text_that_names_nothing_finds_nothing(workspace: Workspace, shop: Stall, typed: str) -> None:
    assert labels.find_by_code(workspace, typed) is None


def test_a_code_of_the_other_kind_or_of_a_deleted_record_finds_nothing(
    workspace: Workspace, shop: Stall
) -> None:
    code = labels.label_for_spool(workspace, shop.spool.id).code
    assert labels.find_by_code(workspace, code.replace("PS-S-", "PS-P-")) is None
    filament.delete_spool(workspace, shop.spool.id)
    assert labels.find_by_code(workspace, code) is None
    with pytest.raises(NotFound):
        labels.label_for_spool(workspace, shop.spool.id)


def test_unknown_records_have_no_label(workspace: Workspace, shop: Stall) -> None:
    with pytest.raises(NotFound, match="No spool with id"):
        labels.label_for_spool(workspace, "01900000-0000-7000-8000-000000000000")
    with pytest.raises(NotFound, match="No product with id"):
        labels.label_for_product(workspace, shop.spool.id)


def test_two_records_that_share_the_last_digits_get_longer_codes(workspace: Workspace) -> None:
    ids = ["01900000-0000-7000-8000-aaaaaaaaaaaa", "01900000-0000-7000-8001-aaaaaaaaaaaa"]
    with workspace.write() as uow:
        for n, record_id in enumerate(ids):
            uow.create(Product, id=record_id, name=f"Twin {n}")
    codes = [labels.label_for_product(workspace, record_id).code for record_id in ids]
    assert codes == ["PS-P-0AAAAAAAAAAAA", "PS-P-1AAAAAAAAAAAA"]
    for code, record_id in zip(codes, ids, strict=True):
        assert labels.find_by_code(workspace, code) == labels.Found("product", record_id, "code")
    with pytest.raises(ValidationError, match="fits 2 products"):
        labels.find_by_code(workspace, "PS-P-AAAAAAAAAAAA")


def test_a_sku_two_products_share_is_not_guessed(workspace: Workspace, shop: Stall) -> None:
    products.edit_product(workspace, shop.tower.id, sku="kr-planet-01")
    with pytest.raises(ValidationError, match="belongs to 2 products"):
        labels.find_by_code(workspace, "KR-PLANET-01")


# ---------------------------------------------------------------- what a label says


def test_a_spool_label_says_what_is_on_the_spool_and_where(workspace: Workspace, shop: Stall) -> None:
    label = labels.label_for_spool(workspace, shop.spool.id)
    assert label.title == "Prusament PLA Orange"
    assert label.lines == ("850 g left of 1,000 g", "Location: Shelf A", "Lot: L-42")
    settings.set_value(workspace, "weight_unit", "oz")
    assert labels.label_for_spool(workspace, shop.spool.id).lines[0] == "30.0 oz left of 35.3 oz"


def test_a_product_label_has_name_sku_and_price_in_the_currency(workspace: Workspace, shop: Stall) -> None:
    label = labels.label_for_product(workspace, shop.keyring.id)
    assert (label.title, label.lines) == ("Planet keyring", ("SKU: KR-Planet-01", "6.00 EUR"))
    settings.set_value(workspace, "currency", "gbp")
    assert labels.label_for_product(workspace, shop.tower.id).lines == ("24.00 GBP",)


# ---------------------------------------------------------------- the QR symbol


def test_the_qr_matrix_is_a_version_1_symbol_at_error_correction_m(workspace: Workspace, shop: Stall) -> None:
    matrix = labels.qr_matrix(labels.label_for_spool(workspace, shop.spool.id).code)
    assert len(matrix) == 21 and all(len(row) == 21 for row in matrix)

    def finder_at(top: int, left: int) -> bool:
        ring = all(matrix[top][left + i] and matrix[top + 6][left + i] for i in range(7))
        ring &= all(matrix[top + i][left] and matrix[top + i][left + 6] for i in range(7))
        gap = not any(matrix[top + 1][left + i] for i in range(1, 6))
        centre = all(matrix[top + r][left + c] for r in range(2, 5) for c in range(2, 5))
        return ring and gap and centre

    assert finder_at(0, 0) and finder_at(0, 14) and finder_at(14, 0) and not finder_at(14, 14)
    # The format information beside the top-left finder: 2 bits of error correction level (M = 00), masked.
    where = [(8, c) for c in (0, 1, 2, 3, 4, 5, 7, 8)] + [(r, 8) for r in (7, 5, 4, 3, 2, 1, 0)]
    bits = int("".join("1" if matrix[r][c] else "0" for r, c in where), 2) ^ 0b101010000010010
    assert bits >> 13 == 0b00


def test_an_empty_code_has_no_qr() -> None:
    with pytest.raises(ValidationError):
        labels.qr_matrix("")


# ---------------------------------------------------------------- printing


def test_labels_on_a4_sheets_of_21(workspace: Workspace, shop: Stall, tmp_path: Path) -> None:
    items = [
        labels.label_for_spool(workspace, shop.spool.id),
        labels.label_for_product(workspace, shop.tower.id),
    ]
    path = tmp_path / "labels.pdf"
    assert labels.labels_pdf(items, path) == 1
    assert pdf_pages(path.read_bytes()) == 1
    assert page_size_mm(path.read_bytes()) == (210.0, 297.0)

    assert labels.labels_pdf(items, path, copies=11) == 2  # 22 labels
    assert pdf_pages(path.read_bytes()) == 2
    assert labels.labels_pdf(items, path, skip=20) == 2  # one place left on the first sheet
    assert labels.labels_pdf(items, path, skip=19) == 1


def test_one_label_a_page_for_a_62mm_label_printer(workspace: Workspace, shop: Stall, tmp_path: Path) -> None:
    items = [labels.label_for_product(workspace, p.id) for p in (shop.keyring, shop.tower, shop.bag)]
    path = tmp_path / "labels.pdf"
    assert labels.labels_pdf(items, path, page="label-62mm") == 3
    data = path.read_bytes()
    assert pdf_pages(data) == 3
    assert page_size_mm(data) == (62.0, 29.0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"page": "letter"}, "There is no page 'letter'"),
        ({"copies": 0}, "at least 1 copy"),
        ({"skip": 21}, "21 places on a sheet: skip 0 to 20"),
        ({"page": "label-62mm", "skip": 1}, "not on label-62mm"),
    ],
)
def test_bad_print_options_are_refused_and_write_nothing(
    workspace: Workspace, shop: Stall, tmp_path: Path, options: dict[str, object], message: str
) -> None:
    items = [labels.label_for_spool(workspace, shop.spool.id)]
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ValidationError, match=message):
        labels.labels_pdf(items, out / "labels.pdf", **options)
    with pytest.raises(ValidationError, match="no labels"):
        labels.labels_pdf([], out / "labels.pdf")
    assert list(out.iterdir()) == []


def test_labels_print_with_the_built_in_pdf_fonts_too(
    workspace: Workspace, shop: Stall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the DejaVu fonts the text is written in the PDF's own fonts, which cannot write every
    character: those become '?' and the label still prints, code included."""
    monkeypatch.setattr(exports, "_font_folder", lambda: None)
    products.edit_product(workspace, shop.tower.id, name="Würfelturm 骰子塔")
    label = labels.label_for_product(workspace, shop.tower.id)
    path = tmp_path / "labels.pdf"
    labels.labels_pdf([label], path)
    text = page_text(path.read_bytes())
    assert label.code.encode() in text
    assert "Würfelturm ???".encode("latin-1") in text


def test_a_label_pdf_in_a_missing_folder_is_one_clear_error(
    workspace: Workspace, shop: Stall, tmp_path: Path
) -> None:
    items = [labels.label_for_spool(workspace, shop.spool.id)]
    with pytest.raises(StoreError, match="does not exist"):
        labels.labels_pdf(items, tmp_path / "missing" / "labels.pdf")
    assert not (tmp_path / "missing").exists()
