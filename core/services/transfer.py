"""Export every record of the user as one JSON document, and restore such a document into an empty store.

The export is the user's copy of their data (backup, GDPR): every synced table, live and deleted rows, ledger
rows and audit entries, with field clocks, so a restore is exact. File contents stay in the file store and are
listed by hash.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from core import __version__
from core.db.migrate import current_revisions
from core.db.models import MODEL_BY_TABLE, SYNCED_MODELS, LocalState
from core.errors import Conflict, ValidationError
from core.timeutil import now_text
from core.workspace import OWNER_KEY, Workspace

FORMAT = "printstall-export"
FORMAT_VERSION = 1


def export_data(ws: Workspace) -> dict[str, Any]:
    tables: dict[str, list[dict[str, Any]]] = {}
    with ws.read() as session:
        for model in SYNCED_MODELS:
            columns = [c.key for c in model.__table__.columns]
            rows = session.scalars(select(model).where(model.owner_id == ws.owner_id).order_by(model.id))
            tables[model.__tablename__] = [{c: getattr(row, c) for c in columns} for row in rows]
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "app_version": __version__,
        "schema": sorted(current_revisions(ws.engine)),
        "exported_at": now_text(),
        "owner_id": ws.owner_id,
        "tables": tables,
    }


def export_json(ws: Workspace, path: Path) -> int:
    """Write the export to `path` atomically. Returns the number of rows written."""
    data = export_data(ws)
    tmp = path.with_name(path.name + ".partial")
    with tmp.open("w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=1, sort_keys=True)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)
    return sum(len(rows) for rows in data["tables"].values())


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValidationError(f"There is no file {path}.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path.name} is not a Printstall export (it is not valid JSON).") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError(f"{path.name} is not a Printstall export.")
    if data.get("version") != FORMAT_VERSION:
        raise ValidationError(
            f"{path.name} is an export of version {data.get('version')}; update Printstall."
        )
    if not isinstance(data.get("tables"), dict) or not isinstance(data.get("owner_id"), str):
        raise ValidationError(f"{path.name} is damaged: it has no tables.")
    return data


def count_records(ws: Workspace) -> int:
    with ws.read() as session:
        return sum(session.scalar(select(func.count()).select_from(m)) or 0 for m in SYNCED_MODELS)


def restore_json(ws: Workspace, path: Path) -> int:
    """Load an export into this store, which must hold no records yet. All or nothing.

    Returns the number of rows restored.
    """
    data = _load(path)
    if count_records(ws):
        raise Conflict("This data folder already holds records; restore into a new, empty data folder.")
    owner = data["owner_id"]
    total = 0
    newest_clock = ""
    with ws.write() as uow:
        session = uow.session
        for table, rows in data["tables"].items():
            model = MODEL_BY_TABLE.get(table)
            if model is None:
                raise ValidationError(f"{path.name} holds an unknown table {table!r}; update Printstall.")
            columns = {c.key for c in model.__table__.columns}
            for row in rows:
                if not isinstance(row, dict) or set(row) - columns or row.get("owner_id") != owner:
                    raise ValidationError(f"{path.name} is damaged: a row of {table} does not fit.")
                session.add(model(**row))
                newest_clock = max(newest_clock, str(row.get("hlc") or ""))
                total += 1
        state = session.get(LocalState, OWNER_KEY)
        if state is None:
            session.add(LocalState(key=OWNER_KEY, value=owner))
        else:
            state.value = owner
        if newest_clock:
            uow.advance_clock(newest_clock)
        try:
            session.flush()
        except Exception as exc:
            raise ValidationError(f"{path.name} is damaged: {exc.__class__.__name__}.") from exc
    ws.owner_id = owner
    return total
