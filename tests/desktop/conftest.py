"""Qt runs offscreen unless the caller chose a platform (the OpenGL tests run under Xvfb with xcb)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
