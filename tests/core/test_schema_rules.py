"""The rules of SYNC.md for every synced table, checked on the models themselves."""

from __future__ import annotations

import pytest
from sqlalchemy import Float, Numeric, UniqueConstraint

from core.db.base import Ledger, Record
from core.db.models import SYNCED_MODELS

TABLES = [model.__table__ for model in SYNCED_MODELS]


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_synced_table_follows_the_sync_rules(table: object) -> None:
    assert [c.name for c in table.primary_key.columns] == ["owner_id", "id"]  # type: ignore[attr-defined]
    assert not table.foreign_keys  # type: ignore[attr-defined]
    assert not [c for c in table.constraints if isinstance(c, UniqueConstraint)]  # type: ignore[attr-defined]
    assert not [i for i in table.indexes if i.unique]  # type: ignore[attr-defined]
    floats = [c.name for c in table.columns if isinstance(c.type, Float | Numeric)]  # type: ignore[attr-defined]
    assert floats == [], "money, weights and lengths are integers on the wire"


def test_every_synced_model_is_a_record_or_a_ledger() -> None:
    kinds = {model.__tablename__: model.sync_kind for model in SYNCED_MODELS}
    assert {k for k, v in kinds.items() if v == "ledger"} == {
        "filament_usage",
        "stock_movements",
        "sales",
        "audit_entries",
    }
    for model in SYNCED_MODELS:
        assert issubclass(model, Record | Ledger)
        # Attribute names are column names: the export, the wire and the field clocks use one name per field.
        assert all(attr == column.name for attr, column in model.__table__.columns.items())
