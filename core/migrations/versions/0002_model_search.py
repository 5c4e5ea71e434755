"""Model search: an SQLite FTS5 index over a model's name, designer, tags and notes, kept up to date by triggers.

SQLite only (the local store); on PostgreSQL this revision does nothing. The index is not a model: it holds no
data of its own, only what triggers on `models`, `model_tags` and `tags` copy into it, so it is never synced,
exported or compared with the models (every table whose name starts with `models_fts` is the index's).

- `models_fts` (FTS5): one row per live model; `rank` is bm25 with the name weighted highest.
- `models_fts_keys`: a stable integer key per (owner_id, model id), the FTS row id. The rowid of `models`
  itself is not stable (VACUUM and batch migrations renumber it), and looking a model up by an unindexed
  FTS column would scan the whole index on every edit.
- `models_fts_by_name`: an index on `models` (owner_id, name COLLATE NOCASE, id), the library's display
  order, so that the first page of a search is read in order and stops there instead of sorting every match.

A later migration that rebuilds `models`, `model_tags` or `tags` in batch mode drops that table's triggers (and
`models_fts_by_name`) with it, and SQLite refuses to rename a table while another table's trigger names a
missing one: such a migration drops these triggers first (`_drop_triggers`) and creates them and the index
again afterwards (copy `_create_triggers`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = (
    "models_fts_models_ai", "models_fts_models_au", "models_fts_models_ad",
    "models_fts_model_tags_ai", "models_fts_model_tags_au", "models_fts_model_tags_ad",
    "models_fts_tags_ai", "models_fts_tags_au", "models_fts_tags_ad",
)


def _forget(owner: str, ids: str) -> str:
    """Remove the index rows of the models `ids` (an SQL list or subquery) of `owner`."""
    return (
        "DELETE FROM models_fts WHERE rowid IN (SELECT k.rowid FROM models_fts_keys k "
        f"WHERE k.owner_id = {owner} AND k.model_id IN ({ids}));"
    )


def _index(owner: str, ids: str) -> str:
    """Add index rows for those of the models `ids` of `owner` that are live."""
    return _index_where(f"m.owner_id = {owner} AND m.id IN ({ids})")


def _index_where(condition: str) -> str:
    """Add index rows for the live models that meet `condition` (on `m`)."""
    return f"""
        INSERT INTO models_fts (rowid, name, designer, tags, notes)
        SELECT k.rowid, m.name, m.designer_name,
               coalesce((SELECT group_concat(t.name, ' ')
                         FROM model_tags mt
                         JOIN tags t ON t.owner_id = mt.owner_id AND t.id = mt.tag_id
                         WHERE mt.owner_id = m.owner_id AND mt.model_id = m.id
                           AND mt.deleted = 0 AND t.deleted = 0), ''),
               m.notes
        FROM models m
        JOIN models_fts_keys k ON k.owner_id = m.owner_id AND k.model_id = m.id
        WHERE {condition} AND m.deleted = 0;"""


def _reindex(owner: str, ids: str) -> str:
    return _forget(owner, ids) + _index(owner, ids)


def _tagged(row: str) -> str:
    """The models carrying tag `row` (new or old)."""
    return f"SELECT mt.model_id FROM model_tags mt WHERE mt.owner_id = {row}.owner_id AND mt.tag_id = {row}.id"


def _remember(row: str) -> str:
    return f"INSERT OR IGNORE INTO models_fts_keys (owner_id, model_id) VALUES ({row}.owner_id, {row}.id);"


def _create_triggers() -> None:
    bodies = {
        "models_fts_models_ai": (
            "AFTER INSERT ON models",
            _remember("new") + _index("new.owner_id", "new.id"),
        ),
        "models_fts_models_au": (
            "AFTER UPDATE OF owner_id, id, name, designer_name, notes, deleted ON models",
            _forget("old.owner_id", "old.id") + _remember("new") + _index("new.owner_id", "new.id"),
        ),
        "models_fts_models_ad": (
            "AFTER DELETE ON models",
            _forget("old.owner_id", "old.id")
            + " DELETE FROM models_fts_keys WHERE owner_id = old.owner_id AND model_id = old.id;",
        ),
        "models_fts_model_tags_ai": (
            "AFTER INSERT ON model_tags",
            _reindex("new.owner_id", "new.model_id"),
        ),
        "models_fts_model_tags_au": (
            "AFTER UPDATE OF owner_id, model_id, tag_id, deleted ON model_tags",
            _reindex("old.owner_id", "old.model_id") + _reindex("new.owner_id", "new.model_id"),
        ),
        "models_fts_model_tags_ad": (
            "AFTER DELETE ON model_tags",
            _reindex("old.owner_id", "old.model_id"),
        ),
        "models_fts_tags_ai": (
            "AFTER INSERT ON tags",
            _reindex("new.owner_id", _tagged("new")),
        ),
        "models_fts_tags_au": (
            "AFTER UPDATE OF owner_id, id, name, deleted ON tags",
            _reindex("old.owner_id", _tagged("old")) + _reindex("new.owner_id", _tagged("new")),
        ),
        "models_fts_tags_ad": (
            "AFTER DELETE ON tags",
            _reindex("old.owner_id", _tagged("old")),
        ),
    }
    assert tuple(bodies) == TRIGGERS
    for name, (when, body) in bodies.items():
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


def _drop_triggers() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # the cloud database has no search; PostgreSQL would want its own (tsvector) index
    op.execute(
        "CREATE TABLE models_fts_keys ("
        "rowid INTEGER PRIMARY KEY, owner_id VARCHAR(36) NOT NULL, model_id VARCHAR(36) NOT NULL, "
        "UNIQUE (owner_id, model_id))"
    )
    # unicode61 folds case and (with remove_diacritics 2) accents; prefix indexes make as-you-type prefix
    # queries of one to three characters cheap.
    op.execute(
        "CREATE VIRTUAL TABLE models_fts USING fts5("
        "name, designer, tags, notes, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')"
    )
    # Best match first: a hit in the name counts most, then designer and tags, then notes.
    op.execute("INSERT INTO models_fts (models_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 4.0, 1.0)')")
    op.execute("CREATE INDEX models_fts_by_name ON models (owner_id, name COLLATE NOCASE, id)")
    op.execute("INSERT INTO models_fts_keys (owner_id, model_id) SELECT owner_id, id FROM models")
    op.execute(_index_where("1 = 1"))
    _create_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop_triggers()
    op.execute("DROP INDEX IF EXISTS models_fts_by_name")
    op.execute("DROP TABLE IF EXISTS models_fts")
    op.execute("DROP TABLE IF EXISTS models_fts_keys")
