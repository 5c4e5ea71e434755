"""The print queue: queueing, starting, finishing (filament off, stock on), failing and cancelling."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db.models import AuditEntry, FilamentUsage, StockMovement
from core.errors import NotFound, ValidationError
from core.services import audit, filament, jobs, library, products
from core.workspace import Workspace
from tests.core.factories import make_shop


def test_finishing_three_plates_adds_units_and_uses_filament(workspace: Workspace) -> None:
    shop = make_shop(workspace, grams_mg=12_500, units_per_plate=2)
    job = jobs.queue_job(workspace, shop.variant.id, copies=3, printer_id=shop.printer.id)

    result = jobs.finish_job(workspace, job.id, spools={0: shop.spool.id})

    assert result.units_added == 6
    assert result.usage_mg == {shop.spool.id: 37_500}
    assert products.get_product(workspace, shop.product.id).on_hand == 6
    assert filament.get_spool(workspace, shop.spool.id).remaining_mg == 1_000_000 - 37_500
    assert jobs.get_job(workspace, job.id).status == "done"
    with workspace.read() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "job.finish")).one()
    assert audit.entity_id == job.id and "6 units" in audit.summary and "37.5 g" in audit.summary


def test_finish_marks_the_spool_opened_and_links_usage_to_the_job(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    job = jobs.queue_job(workspace, shop.variant.id)
    jobs.start_job(workspace, job.id, spools={0: shop.spool.id})
    jobs.finish_job(workspace, job.id)
    assert filament.get_spool(workspace, shop.spool.id).opened
    history = filament.spool_history(workspace, shop.spool.id)
    assert [(u.delta_mg, u.reason, u.job_id) for u in history] == [(-12_500, "print", job.id)]


def test_multi_extruder_job_uses_each_slot_on_its_own_spool(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    second = filament.add_spool(workspace, filament_id=shop.filament.id)
    variant = library.add_variant(
        workspace,
        model_id=shop.variant.model_id,
        name="Two colours",
        materials=[
            library.MaterialInput(slot=0, grams_mg=1_200),
            library.MaterialInput(slot=1, grams_mg=290),
            library.MaterialInput(slot=2, grams_mg=0),  # an unused tool needs no spool
        ],
    )
    job = jobs.queue_job(workspace, variant.id, copies=2, product_id=shop.product.id)
    result = jobs.finish_job(workspace, job.id, spools={0: shop.spool.id, 1: second.id})
    assert result.usage_mg == {shop.spool.id: 2_400, second.id: 580}
    assert result.units_added == 2


def test_finish_without_a_spool_for_a_used_slot_is_refused_and_writes_nothing(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    job = jobs.queue_job(workspace, shop.variant.id, copies=3)
    with pytest.raises(ValidationError, match="Choose a spool for extruder 1"):
        jobs.finish_job(workspace, job.id)
    assert jobs.get_job(workspace, job.id).status == "queued"
    assert products.get_product(workspace, shop.product.id).on_hand == 0
    with workspace.read() as session:
        assert session.scalar(select(func.count()).select_from(FilamentUsage)) == 0


def test_failed_job_uses_the_printed_fraction_and_adds_no_stock(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    job = jobs.queue_job(workspace, shop.variant.id, copies=3)
    result = jobs.fail_job(
        workspace, job.id, printed_permille=400, reason="spaghetti", spools={0: shop.spool.id}
    )
    assert result.usage_mg == {shop.spool.id: 15_000}  # 40 % of 37.5 g
    assert result.units_added == 0
    assert products.get_product(workspace, shop.product.id).on_hand == 0
    failed = jobs.get_job(workspace, job.id)
    assert (failed.status, failed.printed_permille, failed.failure_reason) == ("failed", 400, "spaghetti")
    assert [u.reason for u in filament.spool_history(workspace, shop.spool.id)] == ["failed_print"]


def test_failed_at_zero_percent_needs_no_spool(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    job = jobs.queue_job(workspace, shop.variant.id)
    assert jobs.fail_job(workspace, job.id, printed_permille=0).usage_mg == {}


def test_a_closed_job_cannot_be_finished_again(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    job = jobs.queue_job(workspace, shop.variant.id)
    jobs.cancel_job(workspace, job.id)
    with pytest.raises(ValidationError, match="cancelled"):
        jobs.finish_job(workspace, job.id, spools={0: shop.spool.id})
    with pytest.raises(ValidationError):
        jobs.cancel_job(workspace, job.id)


def test_job_without_product_finishes_with_a_warning(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    products.delete_product(workspace, shop.product.id)
    job = jobs.queue_job(workspace, shop.variant.id)
    assert job.product_id is None
    result = jobs.finish_job(workspace, job.id, spools={0: shop.spool.id})
    assert result.units_added == 0
    assert any("no product" in w for w in result.warnings)
    with workspace.read() as session:
        assert session.scalar(select(func.count()).select_from(StockMovement)) == 0


def test_overdrawing_a_spool_is_recorded_with_a_warning(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    small = filament.add_spool(workspace, filament_id=shop.filament.id, initial_weight_mg=10_000)
    job = jobs.queue_job(workspace, shop.variant.id)
    result = jobs.finish_job(workspace, job.id, spools={0: small.id})
    assert filament.get_spool(workspace, small.id).remaining_mg == -2_500
    assert any("weigh it in" in w for w in result.warnings)


def test_unknown_ids_are_named_in_the_error(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    with pytest.raises(NotFound, match="model variant"):
        jobs.queue_job(workspace, "no-such-variant")
    with pytest.raises(NotFound, match="printer"):
        jobs.queue_job(workspace, shop.variant.id, printer_id="nope")
    job = jobs.queue_job(workspace, shop.variant.id)
    with pytest.raises(NotFound, match="spool"):
        jobs.finish_job(workspace, job.id, spools={0: "nope"})
    with pytest.raises(ValidationError, match="at least 1"):
        jobs.queue_job(workspace, shop.variant.id, copies=0)


def test_queue_positions_and_moving(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    a, b, c = (jobs.queue_job(workspace, shop.variant.id, printer_id=shop.printer.id) for _ in range(3))
    assert [a.position, b.position, c.position] == [1, 2, 3]
    order = jobs.move_job(workspace, c.id, 1)
    assert [j.id for j in order] == [c.id, a.id, b.id]
    listed = jobs.list_jobs(workspace, printer_id=shop.printer.id)
    assert [j.id for j in listed] == [c.id, a.id, b.id]
    assert [j.position for j in listed] == [1, 2, 3]


def test_a_job_moves_to_the_unassigned_queue_and_back(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    a, b = (jobs.queue_job(workspace, shop.variant.id, printer_id=shop.printer.id) for _ in range(2))
    loose = jobs.queue_job(workspace, shop.variant.id)

    unassigned = jobs.move_job(workspace, b.id, 1, printer_id=None)

    assert [(j.id, j.printer_id, j.position) for j in unassigned] == [(b.id, None, 1), (loose.id, None, 2)]
    assert [j.id for j in jobs.list_jobs(workspace, printer_id=shop.printer.id)] == [a.id]
    assert jobs.get_job(workspace, b.id).printer_id is None
    moved = audit.recent(workspace, 1)[0]
    assert moved.summary == f"Moved job {b.id[-8:]} to place 1 in the unassigned queue"

    back = jobs.move_job(workspace, b.id, 1, printer_id=shop.printer.id)

    assert [(j.id, j.printer_id) for j in back] == [(b.id, shop.printer.id), (a.id, shop.printer.id)]
    assert audit.recent(workspace, 1)[0].summary == f"Moved job {b.id[-8:]} to place 1 in the queue of MK4"


def test_moving_without_a_printer_keeps_the_jobs_own_queue(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    a, b = (jobs.queue_job(workspace, shop.variant.id, printer_id=shop.printer.id) for _ in range(2))
    x, y = (jobs.queue_job(workspace, shop.variant.id) for _ in range(2))

    assert [j.id for j in jobs.move_job(workspace, b.id, 1)] == [b.id, a.id]
    assert [j.id for j in jobs.move_job(workspace, y.id, 1, printer_id=jobs.KEEP)] == [y.id, x.id]
    assert jobs.get_job(workspace, b.id).printer_id == shop.printer.id
    assert jobs.get_job(workspace, y.id).printer_id is None
    assert audit.recent(workspace, 1)[0].summary == f"Moved job {y.id[-8:]} to place 1"


def test_moving_to_an_unknown_printer_is_refused_and_changes_nothing(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    job = jobs.queue_job(workspace, shop.variant.id)
    with pytest.raises(NotFound, match="printer"):
        jobs.move_job(workspace, job.id, 1, printer_id="no-such-printer")
    assert jobs.get_job(workspace, job.id).printer_id is None


def test_editing_a_queued_job(workspace: Workspace) -> None:
    shop = make_shop(workspace)
    job = jobs.queue_job(workspace, shop.variant.id)
    edited = jobs.edit_job(workspace, job.id, copies=4, notes="for the fair")
    assert (edited.copies, edited.notes) == (4, "for the fair")
    jobs.finish_job(workspace, job.id, spools={0: shop.spool.id})
    assert products.get_product(workspace, shop.product.id).on_hand == 8
    with pytest.raises(ValidationError, match="only a queued job can be changed"):
        jobs.edit_job(workspace, job.id, copies=1)
