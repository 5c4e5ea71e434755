"""What the shelf flags: nearly empty spools, filaments under their low-stock level, and the weighing tare."""

from __future__ import annotations

import pytest

from core.errors import NotFound
from core.services import filament
from core.workspace import Workspace


@pytest.fixture
def petg(workspace: Workspace) -> filament.FilamentView:
    return filament.add_filament(
        workspace, material="PETG", colour_name="Blue", empty_spool_weight_mg=180_000, low_stock_mg=600_000
    )


def test_a_spool_is_nearly_empty_under_50_g_or_a_tenth(
    workspace: Workspace, petg: filament.FilamentView
) -> None:
    big = filament.add_spool(workspace, filament_id=petg.id, initial_weight_mg=3_000_000)
    small = filament.add_spool(workspace, filament_id=petg.id, initial_weight_mg=250_000)
    assert not filament.nearly_empty(big)
    big = filament.record_usage(workspace, big.id, 2_710_000)  # 290 g left: under a tenth of 3 kg
    assert filament.nearly_empty(big)
    small = filament.record_usage(workspace, small.id, 199_000)  # 51 g left
    assert not filament.nearly_empty(small)
    small = filament.record_usage(workspace, small.id, 2_000)  # 49 g left
    assert filament.nearly_empty(small)


def test_a_filament_runs_low_under_its_level(workspace: Workspace, petg: filament.FilamentView) -> None:
    spool = filament.add_spool(workspace, filament_id=petg.id, initial_weight_mg=1_000_000)
    assert not filament.running_low(filament.get_filament(workspace, petg.id))
    filament.record_usage(workspace, spool.id, 400_000)  # exactly 600 g left: not under
    assert not filament.running_low(filament.get_filament(workspace, petg.id))
    filament.record_usage(workspace, spool.id, 1)
    assert filament.running_low(filament.get_filament(workspace, petg.id))
    no_level = filament.add_filament(workspace, material="PLA")  # no spools, level 0: never flagged
    assert not filament.running_low(no_level)


def test_the_tare_is_the_spools_own_or_its_filaments(
    workspace: Workspace, petg: filament.FilamentView
) -> None:
    plain = filament.add_spool(workspace, filament_id=petg.id)
    cardboard = filament.add_spool(workspace, filament_id=petg.id, empty_spool_weight_mg=140_000)
    assert filament.spool_tare_mg(workspace, plain.id) == 180_000
    assert filament.spool_tare_mg(workspace, cardboard.id) == 140_000
    filament.delete_spool(workspace, plain.id)
    with pytest.raises(NotFound):
        filament.spool_tare_mg(workspace, plain.id)
