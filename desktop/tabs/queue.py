"""The Print queue tab: jobs per printer."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from core.services import jobs, library
from desktop.context import AppContext
from desktop.tabs.simple_list import ListTab


def tr(text: str) -> str:
    return QCoreApplication.translate("QueueTab", text)


def rows(ctx: AppContext) -> list[list[str]]:
    names = {v.id: v.name for v in library.list_variants(ctx.workspace)}
    return [
        [names.get(j.variant_id, tr("(missing variant)")), str(j.copies), j.status, str(j.position)]
        for j in jobs.list_jobs(ctx.workspace)
        if j.status in jobs.OPEN
    ]


class QueueTab(ListTab):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(
            ctx,
            [tr("Variant"), tr("Copies"), tr("Status"), tr("Place")],
            rows,
            tr("Nothing queued."),
            (tr("1 job queued or printing"), tr("{n} jobs queued or printing")),
            frozenset({"jobs", "variants"}),
        )
