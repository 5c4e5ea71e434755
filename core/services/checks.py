"""Input checks shared by the services; each failure is a ValidationError with one clear sentence."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from core.errors import ValidationError

_HEX = re.compile(r"^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$")


def text(value: Any, what: str, *, required: bool = False, max_len: int = 200) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"The {what} must be text.")
    clean = value.strip()
    if required and not clean:
        raise ValidationError(f"The {what} cannot be empty.")
    if len(clean) > max_len:
        raise ValidationError(f"The {what} is longer than {max_len} characters.")
    return clean


def integer(value: Any, what: str, *, minimum: int | None = 0, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"The {what} must be a whole number.")
    if minimum is not None and value < minimum:
        if minimum == 0:
            raise ValidationError(f"The {what} cannot be negative.")
        raise ValidationError(f"The {what} must be at least {minimum}.")
    if maximum is not None and value > maximum:
        raise ValidationError(f"The {what} must be at most {maximum}.")
    return value


def optional_integer(value: Any, what: str, *, minimum: int | None = 0) -> int | None:
    return None if value is None else integer(value, what, minimum=minimum)


def colour_hex(value: Any) -> str:
    code = text(value, "colour code", max_len=9)
    if code and not _HEX.match(code):
        raise ValidationError(f"{code!r} is not a colour code like #1E90FF.")
    return code.upper()


def iso_date(value: Any, what: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise ValidationError(f"The {what} {value!r} is not a date like 2026-12-24.") from exc


def one_of(value: Any, what: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValidationError(f"The {what} must be one of: {', '.join(choices)}.")
    return str(value)


def grams_to_mg(grams: float) -> int:
    """Half-up rounding, so 12.5 g is exactly 12500 mg and 0.0005 g is 1 mg."""
    from decimal import ROUND_HALF_UP, Decimal

    return int((Decimal(str(grams)) * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def check_fields(changes: dict[str, Any], allowed: set[str], what: str) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"A {what} has no field {', '.join(sorted(unknown))}.")
