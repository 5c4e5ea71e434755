"""Settings: typed defaults, validated changes, one row per key."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db.models import UserSetting
from core.errors import ValidationError
from core.services import settings
from core.workspace import Workspace


def test_defaults_then_changes(workspace: Workspace) -> None:
    assert settings.get(workspace, "currency") == "EUR"
    assert settings.set_value(workspace, "currency", "gbp") == "GBP"
    settings.set_value(workspace, "currency", "USD")
    assert settings.get(workspace, "currency") == "USD"
    with workspace.read() as session:
        assert session.scalar(select(func.count()).select_from(UserSetting)) == 1


def test_bad_settings_are_refused(workspace: Workspace) -> None:
    with pytest.raises(ValidationError, match="no setting"):
        settings.set_value(workspace, "colour_of_sky", "blue")
    with pytest.raises(ValidationError, match="currency code"):
        settings.set_value(workspace, "currency", "E1")
    with pytest.raises(ValidationError, match="theme must be one of"):
        settings.set_value(workspace, "theme", "neon")
    assert settings.get_all(workspace)["theme"] == "system"
