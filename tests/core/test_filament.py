"""The filament shelf: spools as ledgers, usage, weighing in, and bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db.models import FilamentUsage, OutboxEntry
from core.errors import Conflict, NotFound, ValidationError
from core.services import filament
from core.workspace import Workspace


@pytest.fixture
def pla(workspace: Workspace) -> filament.FilamentView:
    return filament.add_filament(
        workspace,
        brand="Prusament",
        material="pla",
        colour_name="Orange",
        net_weight_mg=1_000_000,
        empty_spool_weight_mg=193_000,
        price_cents=2499,
    )


def test_a_new_spool_holds_the_filament_net_weight(workspace: Workspace, pla: filament.FilamentView) -> None:
    spool = filament.add_spool(workspace, filament_id=pla.id, location="Drawer 2")
    assert spool.remaining_mg == 1_000_000
    assert spool.label == "Prusament PLA Orange"
    assert pla.material == "PLA" and pla.density_mg_cm3 == 1240  # material default


def test_usage_is_a_sum_of_ledger_rows(workspace: Workspace, pla: filament.FilamentView) -> None:
    spool = filament.add_spool(workspace, filament_id=pla.id)
    filament.record_usage(workspace, spool.id, 12_500)
    filament.record_usage(workspace, spool.id, 2_000, reason="waste", note="purge")
    assert filament.get_spool(workspace, spool.id).remaining_mg == 985_500
    history = filament.spool_history(workspace, spool.id)
    assert [(u.delta_mg, u.reason) for u in history] == [(-12_500, "manual"), (-2_000, "waste")]
    assert filament.list_filaments(workspace)[0].remaining_mg == 985_500


def test_filament_total_sums_live_spools_only(workspace: Workspace, pla: filament.FilamentView) -> None:
    a = filament.add_spool(workspace, filament_id=pla.id)
    b = filament.add_spool(workspace, filament_id=pla.id, initial_weight_mg=250_000)
    filament.add_spool(workspace, filament_id=pla.id, archived=True)
    assert filament.get_filament(workspace, pla.id).remaining_mg == 1_250_000
    filament.delete_spool(workspace, b.id)
    assert filament.get_filament(workspace, pla.id).remaining_mg == 1_000_000
    assert [s.id for s in filament.list_spools(workspace)] == [a.id]


def test_weighing_in_turns_the_difference_into_one_usage_row(
    workspace: Workspace, pla: filament.FilamentView
) -> None:
    spool = filament.add_spool(workspace, filament_id=pla.id)
    filament.record_usage(workspace, spool.id, 100_000)
    view, correction = filament.weigh_spool(workspace, spool.id, 193_000 + 880_000)  # gross on the scale
    assert view.remaining_mg == 880_000
    assert correction == -20_000
    assert [u.reason for u in filament.spool_history(workspace, spool.id)] == ["manual", "weigh_in"]


def test_weighing_uses_the_spools_own_empty_weight_when_set(
    workspace: Workspace, pla: filament.FilamentView
) -> None:
    spool = filament.add_spool(workspace, filament_id=pla.id, empty_spool_weight_mg=250_000)
    view, correction = filament.weigh_spool(workspace, spool.id, 250_000 + 1_000_000)
    assert (view.remaining_mg, correction) == (1_000_000, 0)
    assert filament.spool_history(workspace, spool.id) == []  # nothing to correct: no row


def test_weighing_less_than_the_empty_spool_is_refused(
    workspace: Workspace, pla: filament.FilamentView
) -> None:
    spool = filament.add_spool(workspace, filament_id=pla.id)
    with pytest.raises(ValidationError, match="less than the empty spool"):
        filament.weigh_spool(workspace, spool.id, 100_000)
    assert filament.spool_history(workspace, spool.id) == []


@pytest.mark.parametrize(
    ("amount", "message"),
    [(-5, "at least 1"), (0, "at least 1"), (2.5, "whole number"), ("12", "whole number")],
)
def test_bad_usage_amounts_are_refused_and_write_nothing(
    workspace: Workspace, pla: filament.FilamentView, amount: object, message: str
) -> None:
    spool = filament.add_spool(workspace, filament_id=pla.id)
    with workspace.read() as session:
        outbox_before = session.scalar(select(func.count()).select_from(OutboxEntry))
    with pytest.raises(ValidationError, match=message):
        filament.record_usage(workspace, spool.id, amount)  # type: ignore[arg-type]
    with workspace.read() as session:
        assert session.scalar(select(func.count()).select_from(FilamentUsage)) == 0
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == outbox_before


def test_bad_filament_and_spool_input(workspace: Workspace, pla: filament.FilamentView) -> None:
    with pytest.raises(ValidationError, match="material cannot be empty"):
        filament.add_filament(workspace, material="  ")
    with pytest.raises(ValidationError, match="colour code"):
        filament.add_filament(workspace, material="PETG", colour_hex="orange")
    with pytest.raises(ValidationError, match="cannot be negative"):
        filament.add_filament(workspace, material="PETG", price_cents=-1)
    with pytest.raises(NotFound, match="filament"):
        filament.add_spool(workspace, filament_id="missing")
    with pytest.raises(ValidationError, match="not a date"):
        filament.add_spool(workspace, filament_id=pla.id, purchase_date="last tuesday")
    with pytest.raises(ValidationError, match="has no field"):
        filament.edit_spool(workspace, filament.add_spool(workspace, filament_id=pla.id).id, colour="red")
    with pytest.raises(NotFound, match="spool"):
        filament.record_usage(workspace, "missing", 1_000)


def test_a_deleted_spool_is_not_found_but_can_be_restored(
    workspace: Workspace, pla: filament.FilamentView
) -> None:
    from core.services import records

    spool = filament.add_spool(workspace, filament_id=pla.id)
    filament.delete_spool(workspace, spool.id)
    with pytest.raises(NotFound):
        filament.get_spool(workspace, spool.id)
    records.restore(workspace, filament.SPOOL, spool.id)
    assert filament.get_spool(workspace, spool.id).remaining_mg == 1_000_000


def test_a_spool_shows_its_own_notes_and_empty_spool_weight(
    workspace: Workspace, pla: filament.FilamentView
) -> None:
    spool = filament.add_spool(
        workspace, filament_id=pla.id, empty_spool_weight_mg=250_000, notes="cardboard spool, dry first"
    )
    assert (spool.empty_spool_weight_mg, spool.notes) == (250_000, "cardboard spool, dry first")
    edited = filament.edit_spool(workspace, spool.id, notes="dried 6 h", empty_spool_weight_mg=None)
    assert (edited.empty_spool_weight_mg, edited.notes) == (None, "dried 6 h")  # None: the filament's applies
    listed = filament.list_spools(workspace)
    assert [(s.empty_spool_weight_mg, s.notes) for s in listed] == [(None, "dried 6 h")]


def test_a_filament_with_spools_cannot_be_deleted(workspace: Workspace, pla: filament.FilamentView) -> None:
    filament.add_spool(workspace, filament_id=pla.id)
    filament.add_spool(workspace, filament_id=pla.id, archived=True)  # archived spools count too
    gone = filament.add_spool(workspace, filament_id=pla.id)
    filament.delete_spool(workspace, gone.id)  # one in the trash does not
    with workspace.read() as session:
        outbox_before = session.scalar(select(func.count()).select_from(OutboxEntry))

    with pytest.raises(Conflict) as refused:
        filament.delete_filament(workspace, pla.id)

    assert str(refused.value) == (
        "Prusament PLA Orange still has 2 spools (archived ones count too); "
        "delete them before deleting the filament."
    )
    assert [f.id for f in filament.list_filaments(workspace)] == [pla.id]  # still on the shelf
    with workspace.read() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == outbox_before


def test_a_filament_can_be_deleted_once_its_spools_are(
    workspace: Workspace, pla: filament.FilamentView
) -> None:
    spool = filament.add_spool(workspace, filament_id=pla.id)
    with pytest.raises(Conflict, match="still has 1 spool "):
        filament.delete_filament(workspace, pla.id)
    filament.delete_spool(workspace, spool.id)

    filament.delete_filament(workspace, pla.id)

    with pytest.raises(NotFound, match="filament"):
        filament.get_filament(workspace, pla.id)
    assert filament.list_filaments(workspace) == []
