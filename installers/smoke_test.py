"""Smoke test of the built app (dist/), not of the source tree: has the frozen program all it needs?

    .venv/bin/python installers/smoke_test.py [--app PATH] [--timing-runs N]

(`python3 dev.py smoke-frozen` runs it.) In order, each step stopping the test with a sentence naming what is
missing:

1. PyInstaller's warn file: no module that the app's own code imports at the top level is missing.
2. The files the app reads at run time are in the folder (migrations, Qt plugins, fonts, keyring metadata).
3. `printstall --version` prints the version of `core/__init__.py`.
4. `printstall inspect` reads real sliced and model files (G-code, binary G-code, STL, OBJ).
5. `printstall import --worker-process` imports an STL into a fresh data folder through a process pool (the
   frozen program starting a copy of itself), and the model gets a rendered 512 x 512 thumbnail.
6. `printstall gui --quit-after 3` with QT_QPA_PLATFORM=offscreen opens the main window: the app's log says
   "main window shown", with no error in the log or on stderr.
7. The start time to a shown window, from N more starts (`gui --quit-after 0`).

Every run of the app gets its own temporary home, data and config folders, so nothing of the user's is read
or written. Standard library only, plus Pillow for the thumbnail check.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
WARN_FILE = ROOT / "build" / "printstall" / "warn-printstall.txt"
TESTDATA = ROOT / "tests" / "data"
INSPECT_FILES = {
    "slicers/full_m73_layers_0.2mm_PLA_MK3SMMU2S_11m.gcode": "gcode",
    "slicers/mini_cube_b.bgcode": "bgcode",
    "meshes/cube_binary_solid_header.stl": "stl",
    "meshes/cube_quads.obj": "obj",
}
IMPORT_FILE = "meshes/cube_ascii_crlf_bom.stl"
THUMBNAIL_SIZE = 512
TIMEOUT = 120  # seconds for one run of the app
SHOWN = re.compile(r"main window shown in (\d+) ms")
OWN_PACKAGES = ("core", "desktop", "sync")


class SmokeFailure(Exception):
    """The built app misses something; the message names it."""


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def note(message: str) -> None:
    print(f"    {message}", flush=True)


def version_in_source() -> str:
    match = re.search(r'^__version__ = "([^"]+)"', (ROOT / "core" / "__init__.py").read_text(), re.M)
    if match is None:
        raise SmokeFailure("core/__init__.py has no __version__")
    return match.group(1)


def default_app() -> Path:
    """The executable to run: on Windows the console one (the windowed one has no stderr to read)."""
    if sys.platform == "win32":
        return DIST / "printstall" / "printstall-cli.exe"
    if sys.platform == "darwin":
        return DIST / "Printstall.app" / "Contents" / "MacOS" / "printstall"
    return DIST / "printstall" / "printstall"


def internal_dir(app: Path) -> Path:
    if sys.platform == "darwin":
        # A .app keeps the data files in Contents/Resources and links them from Contents/Frameworks.
        return app.parent.parent / "Resources"
    return app.parent / "_internal"


# --- 1 and 2: what the build collected ----------------------------------------------------------------


def check_warn_file() -> None:
    """Fail on a module that our own code imports at the top level and that PyInstaller did not find."""
    if not WARN_FILE.is_file():
        note(f"no warn file at {WARN_FILE.relative_to(ROOT)} (built elsewhere?): skipped")
        return
    entries = [
        match.groups()
        for line in WARN_FILE.read_text(encoding="utf-8").splitlines()
        if (match := re.match(r"(missing|excluded) module named '?([\w.]+)'? - imported by (.*)", line))
    ]
    absent = {module for _, module, _ in entries}
    problems = []
    for kind, module, importers in entries:
        parent = module.rpartition(".")[0]
        if parent and parent not in absent:
            continue  # `from package import name` of a name that is not a module (pydantic.BaseModel)
        for importer in re.finditer(r"([\w.]+) \(([^)]*)\)", importers):
            name, how = importer.groups()
            if name.split(".")[0] in OWN_PACKAGES and "top-level" in how.split(", "):
                problems.append(f"{module} ({kind}; imported by {name})")
    if problems:
        raise SmokeFailure(
            "the build lacks modules the app imports (add them to installers/printstall.spec): "
            + ", ".join(sorted(set(problems)))
        )
    note("no module of ours is missing")


def check_files(app: Path) -> None:
    internal = internal_dir(app)
    migrations = ROOT / "core" / "migrations" / "versions"
    wanted = [
        Path("core/migrations/env.py"),
        Path("core/migrations/script.py.mako"),
        *(Path("core/migrations/versions") / path.name for path in sorted(migrations.glob("*.py"))),
        Path("fpdf/data/color_profiles/sRGB2014.icc"),
        Path("matplotlib/mpl-data/matplotlibrc"),
        Path("matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf"),
        Path("matplotlib/mpl-data/fonts/ttf/DejaVuSans-Bold.ttf"),
    ]
    missing = [str(path) for path in wanted if not (internal / path).is_file()]
    if not list(internal.glob("keyring-*.dist-info/entry_points.txt")):
        missing.append("keyring-*.dist-info/entry_points.txt (keyring finds its backends through it)")
    plugins = next((p for p in (internal / "PySide6" / "Qt" / "plugins", internal / "PySide6" / "plugins")
                    if p.is_dir()), None)  # fmt: skip
    if plugins is None:
        missing.append("PySide6's Qt plugins folder")
    else:
        platforms = {p.stem.removeprefix("lib") for p in (plugins / "platforms").iterdir()}
        wanted_platforms = {"qoffscreen", "qminimal"} | (
            {"qxcb", "qwayland"} if sys.platform.startswith("linux") else set()
        )
        missing += [f"Qt platform plugin {name}" for name in sorted(wanted_platforms - platforms)]
        for folder in ("imageformats", "iconengines"):
            if not (plugins / folder).is_dir():
                missing.append(f"Qt plugins/{folder}")
    if missing:
        raise SmokeFailure(f"the build lacks files in {internal}: " + "; ".join(missing))
    note(f"{len(wanted) + 1} data files and the Qt plugins are there")


# --- running the app -----------------------------------------------------------------------------------


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment for one run: temporary home, data, config and log folders."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "QT_PLUGIN_PATH", "QT_QPA_PLATFORM_PLUGIN_PATH"):
        env.pop(name, None)
    env.update(
        HOME=str(home),
        USERPROFILE=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        PRINTSTALL_DATA_DIR=str(home / "printstall-data"),
        PRINTSTALL_CONFIG_DIR=str(home / "printstall-config"),
        PRINTSTALL_LOG_DIR=str(home / "printstall-logs"),
    )
    env.update(extra)
    return env


def explain(output: str) -> str:
    """The most telling line of a frozen program's failure."""
    for pattern, advice in (
        (r"No module named '([^']+)'", "the build lacks the module {} (add it to hiddenimports)"),
        (r"FileNotFoundError: .*?'([^']+)'", "the build lacks the file {} (add it to datas)"),
        (r"could not (?:load|find) the Qt platform plugin \"?(\w+)", "Qt cannot load its platform plugin {}"),
        (r"ImportError: (.*)", "an import failed: {}"),
    ):
        match = re.search(pattern, output)
        if match:
            return advice.format(match.group(1))
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def run_app(
    app: Path, args: Sequence[str], env: dict[str, str], what: str
) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            [str(app), *args], capture_output=True, text=True, env=env, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise SmokeFailure(f"{what}: no answer after {TIMEOUT} s") from exc
    if result.returncode != 0:
        details = result.stderr.strip() or result.stdout.strip()
        raise SmokeFailure(
            f"{what} failed (exit status {result.returncode}): {explain(details)}\n--- output ---\n{details}"
        )
    return result


# --- 3 to 6: the app's commands ---------------------------------------------------------------------------


def check_version(app: Path, home: Path) -> None:
    result = run_app(app, ["--version"], isolated_env(home), "printstall --version")
    wanted = version_in_source()
    if wanted not in result.stdout.split():
        raise SmokeFailure(f"printstall --version printed {result.stdout.strip()!r}, not version {wanted}")
    note(result.stdout.strip())


def check_inspect(app: Path, home: Path) -> None:
    paths = [str(TESTDATA / name) for name in INSPECT_FILES]
    result = run_app(app, ["inspect", "--json", *paths], isolated_env(home), "printstall inspect")
    reports = json.loads(result.stdout)
    for report, (name, kind) in zip(reports, INSPECT_FILES.items(), strict=True):
        if report.get("kind") != kind:
            raise SmokeFailure(f"printstall inspect read {name} as {report.get('kind')!r}, not {kind!r}")
    gcode = reports[0]
    if not gcode["filaments"] or not gcode["thumbnails"]:
        raise SmokeFailure("printstall inspect found no filaments or no thumbnail in the PrusaSlicer G-code")
    note(f"read {', '.join(Path(name).name for name in INSPECT_FILES)}")


def check_import(app: Path, home: Path) -> None:
    env = isolated_env(home)
    source = TESTDATA / IMPORT_FILE
    args = ["import", "--worker-process", "--json", str(source)]
    result = run_app(app, args, env, "printstall import --worker-process")
    outcome = json.loads(result.stdout)["files"][0]
    if outcome["status"] != "added" or not outcome["model_id"]:
        raise SmokeFailure(f"printstall import did not add {source.name}: {outcome}")
    data = Path(env["PRINTSTALL_DATA_DIR"])
    with sqlite3.connect(data / "printstall.sqlite3") as db:
        row = db.execute(
            "SELECT b.sha256 FROM models m JOIN file_blobs b ON b.id = m.thumbnail_blob_id WHERE m.id = ?",
            (outcome["model_id"],),
        ).fetchone()
        heads = [r[0] for r in db.execute("SELECT version_num FROM alembic_version")]
    if row is None:
        raise SmokeFailure(f"the model imported from {source.name} has no thumbnail")
    from PIL import Image

    with Image.open(data / "blobs" / row[0][:2] / row[0]) as image:
        size, opaque = image.size, image.convert("RGBA").getchannel("A").getextrema()[1]
    if size != (THUMBNAIL_SIZE, THUMBNAIL_SIZE) or opaque == 0:
        raise SmokeFailure(f"the thumbnail of {source.name} is {size} and {'drawn' if opaque else 'empty'}")
    note(f"imported {source.name} in a worker process; thumbnail {size[0]}x{size[1]}; migrations at {heads}")


def log_files(home: Path) -> list[Path]:
    """The app's log: in PRINTSTALL_LOG_DIR, which isolated_env puts under the temporary home."""
    return sorted(home.rglob("printstall.log"))


def start_gui(app: Path, home: Path, quit_after: float) -> tuple[int, float, str]:
    """Open the window offscreen; (the start time the app logged in ms, the wall time in s, the new log)."""
    env = isolated_env(home, QT_QPA_PLATFORM="offscreen")
    before = {path: path.stat().st_size for path in log_files(home) if path.exists()}
    started = time.perf_counter()
    result = run_app(app, ["gui", "--quit-after", str(quit_after)], env, "printstall gui")
    wall = time.perf_counter() - started
    logs = [path for path in log_files(home) if path.exists()]
    if not logs:
        raise SmokeFailure("printstall gui wrote no log file (printstall.log in the user's log folder)")
    text = "".join(path.read_bytes()[before.get(path, 0) :].decode("utf-8", "replace") for path in logs)
    bad = re.compile(r"\b(ERROR|CRITICAL|Traceback)\b")
    problems = [line for line in (text + result.stderr).splitlines() if bad.search(line)]
    if problems:
        raise SmokeFailure(
            f"printstall gui logged errors: {explain(text + result.stderr)}\n" + "\n".join(problems[:20])
        )
    shown = SHOWN.search(text)
    if shown is None:
        raise SmokeFailure("printstall gui exited without logging 'main window shown'")
    return int(shown.group(1)), wall, text


def check_gui(app: Path, home: Path) -> None:
    shown_ms, wall, _ = start_gui(app, home, 3)
    note(f"main window shown in {shown_ms} ms (offscreen); closed after 3 s, exit status 0 ({wall:.1f} s)")


def measure_start(app: Path, home: Path, runs: int) -> None:
    shown, walls = [], []
    for _ in range(runs):
        ms, wall, _ = start_gui(app, home, 0)
        shown.append(ms)
        walls.append(wall)
    note(
        f"start to shown window: median {statistics.median(shown):.0f} ms "
        f"(runs: {', '.join(map(str, shown))}); "
        f"whole run, start to exit: median {statistics.median(walls):.2f} s"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--app", type=Path, default=default_app(), help="the built executable")
    parser.add_argument("--timing-runs", type=int, default=3, help="starts to time (0: none)")
    options = parser.parse_args(argv)
    app: Path = options.app.resolve()
    if not app.is_file():
        print(f"error: no built app at {app}; build it first (python3 dev.py build)", file=sys.stderr)
        return 1
    steps: list[tuple[str, Callable[[Path], None]]] = [
        ("PyInstaller's warn file", lambda home: check_warn_file()),
        ("the files the app reads at run time", lambda home: check_files(app)),
        ("printstall --version", lambda home: check_version(app, home)),
        ("printstall inspect", lambda home: check_inspect(app, home)),
        ("printstall import --worker-process", lambda home: check_import(app, home)),
        ("printstall gui (offscreen)", lambda home: check_gui(app, home)),
    ]
    if options.timing_runs > 0:
        steps.append(("start time", lambda home: measure_start(app, home, options.timing_runs)))
    say(f"smoke test of {app}")
    try:
        for title, step in steps:
            say(title)
            with tempfile.TemporaryDirectory(prefix="printstall-smoke-") as tmp:
                step(Path(tmp))
    except SmokeFailure as failure:
        print(f"error: {failure}", file=sys.stderr)
        return 1
    say("the built app passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
