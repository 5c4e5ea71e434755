"""The Filament tab: the spools on the shelf."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from core.services import filament
from desktop.context import AppContext
from desktop.tabs.simple_list import ListTab, grams


def tr(text: str) -> str:
    return QCoreApplication.translate("FilamentTab", text)


def rows(ctx: AppContext) -> list[list[str]]:
    return [
        [s.label, grams(s.remaining_mg), grams(s.initial_weight_mg), s.location]
        for s in filament.list_spools(ctx.workspace)
    ]


class FilamentTab(ListTab):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(
            ctx,
            [tr("Spool"), tr("Left"), tr("Of"), tr("Location")],
            rows,
            tr("No spools on the shelf yet."),
            (tr("1 spool on the shelf"), tr("{n} spools on the shelf")),
            frozenset({"filament", "spools"}),
        )
