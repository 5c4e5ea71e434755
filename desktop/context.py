"""What every screen gets: the open workspace, the operations runner, and the app's preferences."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings

from core.workspace import Workspace
from desktop.ops import Operations


@dataclass
class AppContext:
    workspace: Workspace
    ops: Operations
    settings: QSettings  # window layout and other per-install preferences (not synced)
