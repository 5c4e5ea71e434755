"""The Library tab: the models and their variants."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from core.services import library
from desktop.context import AppContext
from desktop.tabs.simple_list import ListTab


def tr(text: str) -> str:
    return QCoreApplication.translate("LibraryTab", text)


def rows(ctx: AppContext) -> list[list[str]]:
    return [
        [m.name, m.designer_name, m.licence_spdx, ", ".join(m.tags)]
        for m in library.list_models(ctx.workspace)
    ]


class LibraryTab(ListTab):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__(
            ctx,
            [tr("Model"), tr("Designer"), tr("Licence"), tr("Tags")],
            rows,
            tr("No models yet. Drop files, folders or zip archives anywhere on this window to import them."),
            (tr("1 model in the library"), tr("{n} models in the library")),
            frozenset({"models", "variants"}),
        )
