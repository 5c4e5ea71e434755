"""Typing and showing quantities: grams and money as people write them, milligrams and cents as core
stores them.

Parsing is lenient about how a number is written (`24.99`, `24,99`, `1 000`, `250 g`) and strict about what it
is: anything that is not a number raises `UnitError` with one sentence for the field. Range rules (negative
prices, zero weights) are core's job; its ValidationError is shown next to the field like these.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from PySide6.QtCore import QCoreApplication, QLocale


def tr(text: str) -> str:
    return QCoreApplication.translate("units", text)


class UnitError(ValueError):
    """Text that is not a number of the kind the field wants; `str()` is a sentence for the user."""


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _decimal(text: str, units: tuple[str, ...]) -> Decimal | None:
    clean = text.strip().replace("\u2212", "-")  # a typographic minus sign
    for unit in units:
        if clean.casefold().endswith(unit.casefold()):
            clean = clean[: -len(unit)].strip()
            break
    clean = clean.replace(" ", "").replace("\u00a0", "").replace("_", "")
    if not clean:
        return None
    clean = _one_decimal_point(clean)
    if not _NUMBER.match(clean):
        raise ValueError(clean)
    try:
        return Decimal(clean)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already guards this
        raise ValueError(clean) from exc


def _one_decimal_point(text: str) -> str:
    """`1,234.5` and `1.234,5` -> `1234.5`; `24,99` -> `24.99`; `1,250` -> `1250` unless the system writes
    decimal commas (then 1.25)."""
    commas, points = text.count(","), text.count(".")
    if commas and points:  # the last separator is the decimal one
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        group = "." if decimal == "," else ","
        return text.replace(group, "").replace(decimal, ".")
    if commas > 1:
        return text.replace(",", "")
    if points > 1:
        return text.replace(".", "")
    if commas == 1:
        whole, fraction = text.split(",")
        if len(fraction) == 3 and whole.lstrip("+-") and QLocale().decimalPoint() != ",":
            return whole + fraction
        return f"{whole}.{fraction}"
    return text


def _scaled(value: Decimal, factor: int) -> int:
    return int((value * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_grams(text: str) -> int | None:
    """`"12.5"` or `"12.5 g"` -> 12500 (mg); `"1.2 kg"` -> 1200000; blank -> None."""
    stripped = text.strip()
    factor = 1000
    if stripped.casefold().endswith("kg"):
        stripped, factor = stripped[:-2], 1_000_000
    try:
        value = _decimal(stripped, ("g",))
    except ValueError:
        raise UnitError(tr("Type a weight in grams, like 250 or 12.5.")) from None
    return None if value is None else _scaled(value, factor)


def parse_money(text: str, currency: str = "") -> int | None:
    """`"24.99"` -> 2499 (cents); `"€24,99"` and `"24.99 EUR"` too; blank -> None."""
    stripped = text.strip()
    for symbol in ("€", "$", "£", "¥", "CHF", currency):
        if symbol and stripped.upper().startswith(symbol.upper()):
            stripped = stripped[len(symbol) :]
    try:
        value = _decimal(stripped, tuple(u for u in (currency, "€", "$", "£") if u))
    except ValueError:
        raise UnitError(tr("Type an amount like 24.99.")) from None
    return None if value is None else _scaled(value, 100)


def parse_decimal(text: str, factor: int, unit: str = "") -> int | None:
    """A decimal quantity scaled to an integer: `parse_decimal("0.4", 1000, "mm")` -> 400 (micrometres)."""
    try:
        value = _decimal(text, (unit,) if unit else ())
    except ValueError:
        raise UnitError(tr("Type a number, like 0.4 or 1.24.")) from None
    return None if value is None else _scaled(value, factor)


def format_decimal(value: int, factor: int, places: int = 3) -> str:
    """The inverse of `parse_decimal`, without trailing zeros: 400, 1000 -> `"0.4"`."""
    text = f"{Decimal(value) / factor:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def grams(mg: int) -> str:
    """A weight for display: `"640 g"`, `"12.5 g"`, `"1,250 g"`."""
    g = mg / 1000
    return f"{g:,.0f} g" if abs(g) >= 100 or g == int(g) else f"{g:,.1f} g"


def grams_signed(mg: int) -> str:
    return ("+" if mg > 0 else "\u2212" if mg < 0 else "") + grams(abs(mg))


def grams_input(mg: int | None) -> str:
    """A weight as a form shows it for editing: `"1000"`, `"12.5"` (no grouping, so it parses back)."""
    return "" if mg is None else format_decimal(mg, 1000)


def money(cents: int | None, currency: str = "") -> str:
    """An amount for display: `"24.99"`, or `"24.99 EUR"` with a currency code; None -> an empty string."""
    if cents is None:
        return ""
    sign = "\u2212" if cents < 0 else ""
    text = f"{sign}{abs(cents) / 100:,.2f}"
    return f"{text} {currency}" if currency else text


def money_input(cents: int | None) -> str:
    return "" if cents is None else f"{cents / 100:.2f}"
