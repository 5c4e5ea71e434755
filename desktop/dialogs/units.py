"""Typing and showing quantities: weights and money as people write them, milligrams and cents as core
stores them.

Weights are shown and typed in the user's unit (the `weight_unit` setting: grams or ounces); a number typed
with its own unit (`250 g`, `1.2 kg`, `8 oz`, `1 lb`) means that unit whichever is set. Parsing is lenient
about how a number is written (`24.99`, `24,99`, `1 000`) and strict about what it is: anything that is not a
number raises `UnitError` with one sentence for the field. Range rules (negative prices, zero weights) are
core's job; its ValidationError is shown next to the field like these.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from PySide6.QtCore import QCoreApplication, QLocale

WeightUnit = Literal["g", "oz"]
MG_PER_OZ = Decimal("28349.523125")  # the avoirdupois ounce, exactly
MG_PER = {"g": Decimal(1000), "oz": MG_PER_OZ}
# Units a typed weight may carry, longest first where one ends another ("kg" before "g").
WEIGHT_SUFFIXES: tuple[tuple[str, Decimal], ...] = (
    ("kg", Decimal(1_000_000)),
    ("g", Decimal(1000)),
    ("oz", MG_PER_OZ),
    ("lbs", MG_PER_OZ * 16),
    ("lb", MG_PER_OZ * 16),
)


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


def _scaled(value: Decimal, factor: int | Decimal) -> int:
    return int((value * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def as_weight_unit(value: object) -> WeightUnit:
    """The `weight_unit` setting's value as a unit (grams for anything unknown)."""
    return "oz" if value == "oz" else "g"


def weight_symbol(unit: WeightUnit) -> str:
    """What follows a weight: `g` or `oz`."""
    return tr("oz") if unit == "oz" else tr("g")


def parse_weight(text: str, unit: WeightUnit) -> int | None:
    """A typed weight in milligrams: `"12.5"` -> 12500 in grams, 354369 in ounces; `"12.5 g"` -> 12500 and
    `"1.2 kg"` -> 1200000 in either unit; blank -> None."""
    clean = text.strip()
    folded = clean.casefold()
    factor = MG_PER[unit]
    for suffix, mg in (*WEIGHT_SUFFIXES, (weight_symbol(unit).casefold(), MG_PER[unit])):
        if suffix and folded.endswith(suffix):
            clean, factor = clean[: -len(suffix)], mg
            break
    try:
        value = _decimal(clean, ())
    except ValueError:
        message = (
            tr("Type a weight in ounces, like 8.8 or 35.27.")
            if unit == "oz"
            else tr("Type a weight in grams, like 250 or 12.5.")
        )
        raise UnitError(message) from None
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


def weight(mg: int, unit: WeightUnit) -> str:
    """A weight for display: `"640 g"`, `"12.5 g"`, `"1,250 g"`; in ounces `"22.58 oz"`."""
    if unit == "oz":
        return tr("{n} oz").format(n=f"{float(Decimal(mg) / MG_PER_OZ):,.2f}")
    g = mg / 1000
    return tr("{n} g").format(n=f"{g:,.0f}" if abs(g) >= 100 or g == int(g) else f"{g:,.1f}")


def weight_signed(mg: int, unit: WeightUnit) -> str:
    """A change of weight: `"+12.5 g"`, `"\u22120.44 oz"`."""
    return ("+" if mg > 0 else "\u2212" if mg < 0 else "") + weight(abs(mg), unit)


def weight_input(mg: int | None, unit: WeightUnit) -> str:
    """A weight as a form shows it for editing: `"1000"`, `"12.5"`; `"35.27"` in ounces (no grouping, so it
    parses back)."""
    if mg is None:
        return ""
    if unit == "oz":
        return f"{Decimal(mg) / MG_PER_OZ:.2f}"
    return format_decimal(mg, 1000)


def money(cents: int | None, currency: str = "") -> str:
    """An amount for display: `"24.99"`, or `"24.99 EUR"` with a currency code; None -> an empty string."""
    if cents is None:
        return ""
    sign = "\u2212" if cents < 0 else ""
    text = f"{sign}{abs(cents) / 100:,.2f}"
    return f"{text} {currency}" if currency else text


def money_input(cents: int | None) -> str:
    return "" if cents is None else f"{cents / 100:.2f}"


def percent(permille: int) -> str:
    """A share kept in per mille, shown in per cent: 75 -> `"7.5 %"`, 100 -> `"10 %"`."""
    return tr("{n} %").format(n=format_decimal(permille, 10, 1))


def parse_percent(text: str) -> int | None:
    """A typed share in per cent as per mille: `"7.5"` or `"7.5 %"` -> 75; blank -> None."""
    try:
        value = _decimal(text, ("%",))
    except ValueError:
        raise UnitError(tr("Type a share in per cent, like 5 or 7.5.")) from None
    return None if value is None else _scaled(value, 10)
