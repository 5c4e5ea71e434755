"""User settings, declared once with their type, default and title, and kept as synced records.

Each setting is a `user_settings` row whose id is derived from the owner and the key, so two devices that
change the same setting merge into one row (the later change wins).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core.db.models import UserSetting
from core.errors import ValidationError
from core.ids import derived_id
from core.services import checks
from core.workspace import Workspace


@dataclass(frozen=True)
class Setting:
    key: str
    title: str
    default: Any
    check: Callable[[Any], Any]


def _currency(value: Any) -> str:
    code = checks.text(value, "currency", required=True, max_len=50).upper()
    if len(code) != 3 or not code.isalpha():
        raise ValidationError(f"{value!r} is not a currency code like EUR.")
    return code


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting("currency", "Currency", "EUR", _currency),
        Setting("weight_unit", "Weights in", "g", lambda v: checks.one_of(v, "weight unit", ("g", "oz"))),
        Setting("theme", "Theme", "system", lambda v: checks.one_of(v, "theme", ("system", "light", "dark"))),
        Setting(
            "electricity_cents_per_kwh",
            "Electricity price per kWh (cents)",
            30,
            lambda v: checks.integer(v, "electricity price"),
        ),
        Setting(
            "labour_cents_per_hour", "Labour per hour (cents)", 0, lambda v: checks.integer(v, "labour rate")
        ),
        Setting(
            "failure_rate_permille",
            "Failed prints (per thousand)",
            50,
            lambda v: checks.integer(v, "failure rate", maximum=999),
        ),
        Setting(
            "pricing_method",
            "Suggest prices by",
            "margin",
            lambda v: checks.one_of(v, "pricing method", ("markup", "margin")),
        ),
        Setting(
            "pricing_percent",
            "Markup or target margin (%)",
            60,
            lambda v: checks.integer(v, "markup or margin", maximum=1000),
        ),
    )
}


def _setting(key: str) -> Setting:
    if key not in SETTINGS:
        raise ValidationError(f"There is no setting {key!r}; known settings: {', '.join(sorted(SETTINGS))}.")
    return SETTINGS[key]


def get_all(ws: Workspace) -> dict[str, Any]:
    values = {key: s.default for key, s in SETTINGS.items()}
    with ws.read() as session:
        rows = session.scalars(
            select(UserSetting).where(UserSetting.owner_id == ws.owner_id, UserSetting.deleted.is_(False))
        )
        for row in rows:
            if row.key in SETTINGS:
                values[row.key] = row.value
    return values


def get(ws: Workspace, key: str) -> Any:
    _setting(key)
    return get_all(ws)[key]


def set_value(ws: Workspace, key: str, value: Any) -> Any:
    setting = _setting(key)
    clean = setting.check(value)
    with ws.write() as uow:
        row = uow.create(UserSetting, id=derived_id(uow.owner_id, "setting", key), key=key, value=clean)
        uow.audit("settings.set", f"{setting.title}: {clean}", row)
    return clean
