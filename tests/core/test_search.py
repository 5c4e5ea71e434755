"""Searching the library: the FTS5 index kept by triggers, prefix search as a user types, filters, sorting,
paging, cards and the detail of a model, all on real rows made through the services."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from core.db import migrate
from core.errors import NotFound
from core.services import importing, library, records, search
from core.workspace import Workspace
from tests.core.files import SLICERS, write_cube


def names(ws: Workspace, query: str = "", **filters: object) -> list[str]:
    ids = search.search_models(ws, query, **filters)  # type: ignore[arg-type]
    return [card.name for card in search.model_cards(ws, ids)]


@pytest.fixture
def shelf(workspace: Workspace) -> Workspace:
    library.add_model(
        workspace,
        name="Dragon",
        designer_name="Jane Doe",
        licence_spdx="CC-BY-4.0",
        licence_allows_selling=True,
        category="Figures",
        tags=["fantasy", "Articulated"],
    )
    library.add_model(
        workspace,
        name="Dresser knob",
        designer_name="Bob Builder",
        licence_spdx="CC-BY-NC-4.0",
        licence_allows_selling=False,
        category="Home",
        notes="Print with 4 walls for strength",
    )
    library.add_model(workspace, name="Benchy", designer_name="Creative Tools", category="home")
    return workspace


# ---------------------------------------------------------------- the query a user types


def test_every_word_becomes_a_quoted_prefix_phrase() -> None:
    assert search.fts_query("dra") == '"dra"*'
    assert search.fts_query("  dragon   jane ") == '"dragon"* "jane"*'
    assert search.fts_query('say "hi"') == '"say"* """hi"""*'
    assert search.fts_query("NOT") == '"NOT"*'
    assert search.fts_query("") is None
    assert search.fts_query(" - * ( ") is None


def test_results_narrow_as_the_user_types(shelf: Workspace) -> None:
    assert names(shelf, "d") == ["Dragon", "Dresser knob"]
    assert names(shelf, "dr") == ["Dragon", "Dresser knob"]
    assert names(shelf, "dra") == ["Dragon"]
    assert names(shelf, "drax") == []
    assert names(shelf, "") == ["Benchy", "Dragon", "Dresser knob"]
    assert search.count_models(shelf, "dr") == 2


def test_search_covers_designer_tags_and_notes_ignoring_case_and_accents(shelf: Workspace) -> None:
    assert names(shelf, "jane") == ["Dragon"]
    assert names(shelf, "ARTIC") == ["Dragon"]
    assert names(shelf, "walls") == ["Dresser knob"]
    assert names(shelf, "créative") == ["Benchy"]
    assert names(shelf, "knob bob") == ["Dresser knob"]  # every word must match, in any field
    assert names(shelf, "knob jane") == []


@pytest.mark.parametrize(
    "typed",
    ['"', '""', "dra*", "NOT dragon", "dragon OR benchy", "NEAR(dragon benchy)", "name:dragon", "(dragon",
     "^dragon", "dragon AND", "{name}: x", "-dragon", "'", "\\", "%_", "dragon\0", "a" * 300, "\ud800x",
     "x" * 40 + " y" * 40],
)  # fmt: skip
def test_fts_syntax_in_what_a_user_types_is_searched_for_never_run(shelf: Workspace, typed: str) -> None:
    search.search_models(shelf, typed)  # never an FTS syntax error
    search.count_models(shelf, typed)


def test_operator_words_and_symbols_are_plain_text(shelf: Workspace) -> None:
    library.add_model(shelf, name='Sign "NOT OR AND" (large)')
    assert names(shelf, "not or and") == ['Sign "NOT OR AND" (large)']
    assert names(shelf, '"not" (lar') == ['Sign "NOT OR AND" (large)']
    assert names(shelf, "dragon OR benchy") == []  # OR is a word to find, not an operator
    assert names(shelf, "*") == []


# ---------------------------------------------------------------- the triggers keep the index in step


def test_the_index_follows_edits_of_name_designer_and_notes(shelf: Workspace) -> None:
    dragon = search.search_models(shelf, "dragon")[0]
    library.edit_model(shelf, dragon, name="Wyvern", designer_name="Ann Other", notes="glow in the dark")
    assert names(shelf, "dragon") == []
    assert names(shelf, "jane") == []
    assert names(shelf, "wyv") == ["Wyvern"]
    assert names(shelf, "ann glow") == ["Wyvern"]
    assert search.search_index_rows(shelf)[dragon]["name"] == "Wyvern"


def test_the_index_follows_tag_changes(shelf: Workspace) -> None:
    dragon = search.search_models(shelf, "dragon")[0]
    library.edit_model(shelf, dragon, tags=["keyring", "Fantasy"])
    assert names(shelf, "articulated") == []
    assert names(shelf, "keyr") == ["Dragon"]
    assert names(shelf, "fantasy") == ["Dragon"]
    library.edit_model(shelf, dragon, tags=[])
    assert names(shelf, "fantasy") == []
    assert search.search_index_rows(shelf)[dragon]["tags"] == ""
    # A tag brought back (its link un-deleted) is found again.
    library.edit_model(shelf, dragon, tags=["fantasy"])
    assert names(shelf, "fanta") == ["Dragon"]


def test_deleted_models_leave_the_index_and_come_back_when_restored(shelf: Workspace) -> None:
    dragon = search.search_models(shelf, "dragon")[0]
    library.delete_model(shelf, dragon)
    assert names(shelf, "dragon") == []
    assert names(shelf) == ["Benchy", "Dresser knob"]
    assert dragon not in search.search_index_rows(shelf)
    records.restore(shelf, library.MODEL, dragon)
    assert names(shelf, "dragon") == ["Dragon"]
    assert sorted(search.search_index_rows(shelf)[dragon]["tags"].split()) == ["Articulated", "fantasy"]


def test_an_edit_that_touches_no_searched_field_leaves_the_index_alone(shelf: Workspace) -> None:
    dragon = search.search_models(shelf, "dragon")[0]
    with shelf.engine.connect() as conn:
        before = conn.execute(text("SELECT rowid FROM models_fts_keys WHERE model_id = :id"), {"id": dragon})
        key = before.scalar_one()
    library.edit_model(shelf, dragon, source_url="https://example.com/dragon")
    assert names(shelf, "dragon") == ["Dragon"]
    with shelf.engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM models_fts WHERE rowid = :k"), {"k": key})
        assert rows.scalar() == 1


def test_models_already_in_the_database_are_indexed_by_the_upgrade(workspace: Workspace) -> None:
    migrate.downgrade(workspace.engine, "0001")
    with workspace.engine.connect() as conn:
        tables = {n for (n,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
    assert not {t for t in tables if t.startswith(search.INDEX_TABLE_PREFIX)}
    library.add_model(workspace, name="Made before search", tags=["old"])
    gone = library.add_model(workspace, name="Deleted before search")
    library.delete_model(workspace, gone.id)
    migrate.upgrade(workspace.engine)
    assert names(workspace, "made old") == ["Made before search"]
    assert names(workspace, "deleted") == []


def test_search_only_sees_the_owners_models(shelf: Workspace) -> None:
    shelf.set_owner("0193c0de-0000-7000-8000-000000000001")
    assert names(shelf) == []
    library.add_model(shelf, name="Dragon of the account")
    assert names(shelf, "dragon") == ["Dragon of the account"]


# ---------------------------------------------------------------- filters, sorting, paging


def test_filters(shelf: Workspace) -> None:
    assert names(shelf, tag="FANTASY") == ["Dragon"]
    assert names(shelf, tag="nothing") == []
    assert names(shelf, category="home") == ["Benchy", "Dresser knob"]
    assert names(shelf, licence="cc-by-nc-4.0") == ["Dresser knob"]
    assert names(shelf, licence="") == ["Benchy"]
    assert names(shelf, selling="allowed") == ["Dragon"]
    assert names(shelf, selling="not_allowed") == ["Dresser knob"]
    assert names(shelf, selling="unknown") == ["Benchy"]
    assert names(shelf, "d", category="home") == ["Dresser knob"]
    assert search.count_models(shelf, "d", category="home") == 1
    assert search.count_models(shelf, "d", licence="") == 0  # "" is a filter: no licence given
    assert search.count_models(shelf, "b", licence="") == 1


def test_has_variants_counts_only_live_variants(shelf: Workspace) -> None:
    benchy = search.search_models(shelf, "benchy")[0]
    variant = library.add_variant(shelf, model_id=benchy, name="Benchy PLA", material="PLA")
    assert names(shelf, has_variants=True) == ["Benchy"]
    assert names(shelf, has_variants=False) == ["Dragon", "Dresser knob"]
    assert search.model_cards(shelf, [benchy])[0].variant_count == 1
    library.delete_variant(shelf, variant.id)
    assert names(shelf, has_variants=True) == []
    assert search.model_cards(shelf, [benchy])[0].variant_count == 0


def test_sort_orders(shelf: Workspace) -> None:
    assert names(shelf, sort="designer") == ["Dresser knob", "Benchy", "Dragon"]
    assert names(shelf, sort="name", descending=True) == ["Dresser knob", "Dragon", "Benchy"]
    assert names(shelf, sort="added", descending=True) == ["Benchy", "Dresser knob", "Dragon"]
    assert names(shelf, sort="selling") == ["Dragon", "Benchy", "Dresser knob"]
    assert names(shelf, sort="licence") == ["Benchy", "Dragon", "Dresser knob"]
    with pytest.raises(Exception, match="cannot be sorted"):
        search.search_models(shelf, sort="colour")  # type: ignore[arg-type]


def test_best_match_puts_a_hit_in_the_name_before_one_in_the_notes(shelf: Workspace) -> None:
    library.add_model(shelf, name="Lamp", notes="a dragon lamp shade, without the dragon")
    assert names(shelf, "dragon", sort="name") == ["Dragon", "Lamp"]
    library.add_model(shelf, name="Aardvark", notes="dragon")
    assert names(shelf, "dragon", sort="relevance")[0] == "Dragon"


def test_pages_cover_every_match_once_in_order(workspace: Workspace) -> None:
    for index in range(25):
        library.add_model(workspace, name=f"Part {index % 7}", notes=f"number {index}")
    everything = search.search_models(workspace, "part", limit=1000)
    pages = [search.search_models(workspace, "part", limit=10, offset=o) for o in (0, 10, 20, 30)]
    assert [len(p) for p in pages] == [10, 10, 5, 0]
    assert [i for page in pages for i in page] == everything
    assert len(set(everything)) == 25


# ---------------------------------------------------------------- cards, detail, facets


def test_cards_keep_the_order_asked_and_leave_out_unknown_ids(shelf: Workspace) -> None:
    ids = search.search_models(shelf)
    cards = search.model_cards(shelf, [ids[2], "no-such-id", ids[0]])
    assert [c.name for c in cards] == ["Dresser knob", "Benchy"]
    knob = cards[0]
    assert (knob.designer, knob.licence, knob.allows_selling) == ("Bob Builder", "CC-BY-NC-4.0", False)
    assert knob.selling_warning and cards[1].selling_warning
    assert not search.model_cards(shelf, [ids[1]])[0].selling_warning
    assert search.model_cards(shelf, []) == []


def test_detail_of_an_imported_model_with_a_sliced_variant(workspace: Workspace, tmp_path: Path) -> None:
    mesh = write_cube(tmp_path / "mini_cube.stl")
    outcomes = importing.import_paths(workspace, [mesh, SLICERS / "mini_cube_ps2.8.1.gcode"])
    assert [o.status for o in outcomes] == ["added", "added"]
    model_id = outcomes[0].model_id
    assert model_id is not None and outcomes[1].model_id == model_id

    card = search.model_cards(workspace, [model_id])[0]
    assert card.variant_count == 1 and card.thumbnail_sha256 is not None
    assert workspace.blobs.has(card.thumbnail_sha256)

    detail = search.model_detail(workspace, model_id)
    assert detail.model.name == "mini cube"
    assert detail.mesh is not None and detail.mesh.name == "mini_cube.stl"
    assert workspace.blobs.path_for(detail.mesh.sha256).read_bytes() == mesh.read_bytes()
    (variant,) = detail.variants
    assert variant.print_time_s == 221
    assert variant.printer == "MK4S" and variant.material == "PLA"
    assert [(e.slot, e.material, e.grams_mg, e.colour_hex) for e in variant.extruders] == [
        (0, "PLA", 750, "#FF8000")
    ]
    assert variant.slicer == "PrusaSlicer 2.8.1"
    assert variant.thumbnail_sha256 is not None and workspace.blobs.has(variant.thumbnail_sha256)
    assert workspace.blobs.path_for(variant.thumbnail_sha256).read_bytes().startswith(b"\x89PNG")
    sliced = variant.sliced_file
    assert sliced is not None and (sliced.name, sliced.role) == ("mini_cube_ps2.8.1.gcode", "sliced")
    gcode = (SLICERS / "mini_cube_ps2.8.1.gcode").read_bytes()
    assert sliced.size == len(gcode) and workspace.blobs.read_bytes(sliced.sha256) == gcode


def test_detail_shows_grams_for_every_extruder_and_refuses_a_deleted_model(workspace: Workspace) -> None:
    outcomes = importing.import_paths(workspace, [SLICERS / "mmu_attribute_test.gcode"])
    model_id = outcomes[0].model_id
    assert model_id is not None
    (variant,) = search.model_detail(workspace, model_id).variants
    assert [e.grams_mg for e in variant.extruders] == [27_000, 4_000, 5_000, 5_230, 1_460]
    assert variant.grams_mg == 42_690
    library.delete_model(workspace, model_id)
    with pytest.raises(NotFound):
        search.model_detail(workspace, model_id)


def test_facets_list_what_live_models_use(shelf: Workspace) -> None:
    dragon = search.search_models(shelf, "dragon")[0]
    found = search.facets(shelf)
    assert found.tags == ["Articulated", "fantasy"]
    assert found.categories == ["Figures", "Home"]  # "home" and "Home" are one category to the filter
    assert found.licences == ["", "CC-BY-4.0", "CC-BY-NC-4.0"]
    library.delete_model(shelf, dragon)
    assert search.facets(shelf).tags == []
