"""Where the install keeps its data and its own config, and the device id that lives outside the database.

The config file sits in the user's config directory, not in the database, so a restored backup never brings
another install's device id along; and a device id is keyed by the computer's name as well as the folder, so
a data folder copied to another computer (with the config file, where the two folders coincide) does not
either. The device id is kept per data folder, so two
data folders on one computer are two devices.
"""

from __future__ import annotations

import json
import os
import platform
import uuid
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "Printstall"
DATA_DIR_ENV = "PRINTSTALL_DATA_DIR"
CONFIG_DIR_ENV = "PRINTSTALL_CONFIG_DIR"
CONFIG_VERSION = 1


def default_data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def config_path() -> Path:
    return config_dir() / "config.json"


def load_config() -> dict[str, Any]:
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"version": CONFIG_VERSION, "devices": {}}
    except (OSError, ValueError):
        # A damaged config must not stop the app: start a fresh one (it holds nothing a user typed).
        return {"version": CONFIG_VERSION, "devices": {}}
    if not isinstance(data, dict):
        return {"version": CONFIG_VERSION, "devices": {}}
    data.setdefault("devices", {})
    return data


def save_config(data: dict[str, Any]) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def device_id_for(data_dir: Path) -> str:
    """This install's device id for `data_dir`, made once and kept in the config file.

    The key is the computer's name and the folder's path. On Windows and macOS the config folder is the
    default data folder itself, so a data folder copied to a new computer brings the config file along; with
    the computer's name in the key, the new computer still makes a device id of its own.
    """
    key = f"{platform.node()}|{data_dir.resolve()}"
    data = load_config()
    devices = data["devices"]
    if not isinstance(devices, dict):
        devices = data["devices"] = {}
    device = devices.get(key)
    if not isinstance(device, str):
        device = str(uuid.uuid4())
        devices[key] = device
        save_config(data)
    return device
