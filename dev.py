#!/usr/bin/env python3
"""Printstall developer commands.

    python3 dev.py run [app args...]       set up, then start the app
    python3 dev.py test [pytest args...]   set up, then ruff, mypy, lint-imports and the test suite
    python3 dev.py bench [names...]        set up, then run the benchmark suite (bench/) and print figures
    python3 dev.py build                   set up, then build the installed app for this platform (dist/;
                                           installers/build_linux.sh, build_windows.ps1 or build_macos.sh)
    python3 dev.py smoke-frozen [args...]  smoke-test the built app in dist/ (installers/smoke_test.py)
    python3 dev.py setup                   only set up (system packages, .venv, locked packages, the project)
    python3 dev.py system-deps [--list]    install the Debian/Ubuntu packages Qt and the tests need
                                           (--list: print their names for this system and change nothing)
    python3 dev.py doctor                  check that Qt finds its system libraries and can start

Standard library only: it runs with a bare python3 (3.11+) before any virtual environment exists.
Setting PRINTSTALL_SKIP_SYSTEM_DEPS=1 skips the Debian/Ubuntu package step (for other distributions,
or when you manage those packages yourself). See docs/development.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements" / "dev.lock"
PYPROJECT = ROOT / "pyproject.toml"
STAMP = VENV / "printstall-setup.json"
# Bump when the set-up steps change in a way that needs existing virtual environments redone.
SETUP_VERSION = 1
MIN_PYTHON = (3, 11)

WINDOWS = sys.platform == "win32"
LINUX = sys.platform.startswith("linux")

# The Debian/Ubuntu packages that the app and the test suite need on Linux: the one list, used by
# `setup`, `system-deps` and anything else that installs the system side (CI, build scripts).
# "a|b" means "a, or b where a does not exist": Debian 13 and Ubuntu 24.04 renamed some libraries
# for the 64-bit time_t transition. Found by running `ldd` over PySide6's Qt libraries and plugins
# in a minimal Debian 12 (`python3 dev.py doctor` repeats that check).
SYSTEM_PACKAGES: tuple[str, ...] = (
    # Libraries that Qt's core, GUI, widget, OpenGL, network and D-Bus libraries link against.
    "libglib2.0-0|libglib2.0-0t64",
    "libdbus-1-3",
    "libfontconfig1",
    "libfreetype6",
    "libbrotli1",
    "libgssapi-krb5-2",
    "libxkbcommon0",
    "libgl1",
    "libegl1",
    # The xcb platform plugin (real windows, and the OpenGL tests under Xvfb).
    "libx11-6",
    "libx11-xcb1",
    "libxcb1",
    "libxcb-cursor0",
    "libxcb-glx0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-render0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-util1",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libxkbcommon-x11-0",
    # Mesa's drivers: software OpenGL (llvmpipe) where there is no GPU.
    "libgl1-mesa-dri",
    # Fonts, so text renders (also offscreen).
    "fontconfig",
    "fonts-dejavu-core",
    # A virtual X server for the OpenGL tests.
    "xvfb",
    "xauth",
    # PyInstaller (`dev.py build`) reads and writes executables with objdump and objcopy.
    "binutils",
)

# The Qt libraries and plugins the app loads; `doctor` checks their shared-library dependencies.
QT_LIBS = (
    "Core", "Gui", "Widgets", "OpenGL", "OpenGLWidgets", "Network", "DBus", "XcbQpa",
    "Svg", "SvgWidgets", "Concurrent", "Test",
)  # fmt: skip
QT_PLUGIN_GLOBS = (
    "platforms/libqxcb.so",
    "platforms/libqoffscreen.so",
    "platforms/libqminimal.so",
    "xcbglintegrations/*.so",
    "imageformats/*.so",
    "iconengines/*.so",
    "platforminputcontexts/libcomposeplatforminputcontextplugin.so",
)

LOCK_UPDATE_COMMAND = (
    "uv pip compile pyproject.toml --extra dev --extra server --generate-hashes --universal "
    "--python-version 3.11 -o requirements/dev.lock"
)


class SetupError(Exception):
    """A set-up step failed in a way the user has to fix; the message says how."""


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def note(message: str) -> None:
    print(f"    {message}", flush=True)


def run(cmd: Sequence[str | os.PathLike[str]], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    args = [os.fspath(part) for part in cmd]
    result: subprocess.CompletedProcess[bytes] = subprocess.run(args, cwd=ROOT, **kwargs)
    return result


# --- virtual environment paths ---------------------------------------------------------------------


def venv_bin(name: str) -> Path:
    if WINDOWS:
        return VENV / "Scripts" / f"{name}.exe"
    return VENV / "bin" / name


def venv_python() -> Path:
    return venv_bin("python")


def tool_env(**extra: str) -> dict[str, str]:
    """The environment for commands run from the virtual environment."""
    env = dict(os.environ)
    env["VIRTUAL_ENV"] = str(VENV)
    env["PATH"] = os.pathsep.join([str(venv_bin("python").parent), env.get("PATH", "")])
    env.pop("PYTHONHOME", None)
    env.update(extra)
    return env


# --- system packages (Debian/Ubuntu) ----------------------------------------------------------------


def apt_available() -> bool:
    return LINUX and bool(shutil.which("apt-get")) and bool(shutil.which("dpkg-query"))


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def is_distro_python() -> bool:
    """True when this python3 is the distribution's own (so its venv support comes from apt)."""
    return sys.base_prefix == "/usr"


def needs_venv_package() -> bool:
    try:
        import ensurepip  # noqa: F401
    except ImportError:
        return True
    return False


def wanted_packages() -> list[str]:
    """SYSTEM_PACKAGES, plus for a distribution python3: python3.X-venv when it cannot make a venv, and its
    shared library, which PyInstaller puts in the built app (the python3 program does not use it)."""
    wanted = list(SYSTEM_PACKAGES)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    if is_distro_python():
        wanted.insert(0, f"libpython{version}|libpython{version}t64")
    if needs_venv_package() and is_distro_python():
        wanted.insert(0, f"python{version}-venv")
    return wanted


def installed_packages(names: Sequence[str]) -> set[str]:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Package}\n", *names],
        capture_output=True,
        text=True,
        check=False,
    )
    installed = set()
    for line in result.stdout.splitlines():
        status, _, name = line.partition(" ")
        if status.startswith("ii"):
            installed.add(name.strip().split(":")[0])
    return installed


def apt_candidates(names: Sequence[str]) -> set[str]:
    """The names that apt can install (not unknown, not purely virtual) with its current lists."""
    result = subprocess.run(
        ["apt-cache", "policy", *names],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )
    found, current = set(), None
    for line in result.stdout.splitlines():
        if line and not line[0].isspace() and line.endswith(":"):
            current = line[:-1].split(":")[0]
        elif current and line.strip().startswith("Candidate:") and "(none)" not in line:
            found.add(current)
    return found


def missing_packages() -> list[list[str]]:
    """The requirements (each a list of alternatives) of which no alternative is installed."""
    requirements = [entry.split("|") for entry in wanted_packages()]
    installed = installed_packages([name for alternatives in requirements for name in alternatives])
    return [alts for alts in requirements if not any(name in installed for name in alts)]


def choose(requirements: list[list[str]]) -> list[str]:
    """One package name per requirement: the first alternative apt has a candidate for."""
    multi = [name for alts in requirements if len(alts) > 1 for name in alts]
    candidates = apt_candidates(multi) if multi else set()
    return [next((name for name in alts if name in candidates), alts[0]) for alts in requirements]


def ensure_system_packages() -> None:
    if os.environ.get("PRINTSTALL_SKIP_SYSTEM_DEPS") == "1":
        say("skipping system packages (PRINTSTALL_SKIP_SYSTEM_DEPS=1)")
        return
    if not apt_available():
        if LINUX:
            say("no apt-get here: skipping system packages")
            note("install your distribution's equivalents of the Debian packages listed by")
            note("`python3 dev.py system-deps --list` (Qt's X11/xcb and OpenGL libraries, fonts, Xvfb)")
        return
    if needs_venv_package() and not is_distro_python():
        raise SetupError(
            f"{sys.executable} cannot create virtual environments (it has no ensurepip module).\n"
            "Install venv/pip support for that Python, or run dev.py with the system python3."
        )
    missing = missing_packages()
    if not missing:
        return
    if not is_root():
        names = choose(missing)
        raise SetupError(
            "these system packages are missing; install them, then run this command again:\n"
            f"    sudo apt-get update && sudo apt-get install --no-install-recommends {' '.join(names)}"
        )
    say("installing system packages")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    names = choose(missing)
    note(" ".join(names))
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *names], check=True, env=env)
    still_missing = missing_packages()
    if still_missing:
        raise SetupError(f"apt-get did not install: {' '.join(choose(still_missing))}")


# --- virtual environment and Python packages -------------------------------------------------------


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def venv_works() -> bool:
    python = venv_python()
    if not python.exists():
        return False
    check = f"import sys; sys.exit(sys.version_info < {MIN_PYTHON!r})"
    return run([python, "-c", check], capture_output=True, check=False).returncode == 0


def wanted_stamp() -> dict[str, object]:
    return {
        "setup_version": SETUP_VERSION,
        "dev.lock": file_sha256(LOCK),
        "pyproject.toml": file_sha256(PYPROJECT),
    }


def read_stamp() -> object:
    try:
        return json.loads(STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def pip_version(python: Path) -> tuple[int, ...]:
    out = run([python, "-m", "pip", "--version"], capture_output=True, check=True).stdout.decode()
    try:
        return tuple(int(part) for part in out.split()[1].split(".")[:2])
    except (IndexError, ValueError):
        return (0,)


def ensure_venv() -> None:
    if not venv_works():
        say("creating the virtual environment in .venv")
        clear = ["--clear"] if VENV.exists() else []
        run([sys.executable, "-m", "venv", *clear, VENV], check=True)
        STAMP.unlink(missing_ok=True)
    stamp = wanted_stamp()
    if read_stamp() == stamp:
        return
    python = venv_python()
    env = tool_env(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    if pip_version(python) < (22, 0):  # older pips lack pieces of --require-hashes / marker handling
        say("upgrading pip in .venv")
        run([python, "-m", "pip", "install", "--upgrade", "pip"], check=True, env=env)
    if not sys.stdout.isatty():
        env["PIP_PROGRESS_BAR"] = "off"
    say("installing locked Python packages (requirements/dev.lock) into .venv")
    run([python, "-m", "pip", "install", "--require-hashes", "-r", LOCK], check=True, env=env)
    say("installing the project into .venv (editable)")
    run([python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "-e", "."], check=True, env=env)
    check = run([python, "-m", "pip", "check"], capture_output=True, check=False, env=env)
    if check.returncode != 0:
        raise SetupError(
            "installed packages do not satisfy the project's requirements:\n"
            + check.stdout.decode(errors="replace")
            + "Is requirements/dev.lock out of date with pyproject.toml? Regenerate it with:\n"
            + f"    {LOCK_UPDATE_COMMAND}"
        )
    STAMP.write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")


def setup() -> None:
    if sys.version_info < MIN_PYTHON:
        wanted = ".".join(map(str, MIN_PYTHON))
        raise SetupError(f"Printstall needs Python {wanted} or newer; this is {platform.python_version()}.")
    if LINUX:
        ensure_system_packages()
    ensure_venv()


# --- commands --------------------------------------------------------------------------------------


def cmd_setup(args: list[str]) -> int:
    setup()
    say("set up")
    return 0


def cmd_system_deps(args: list[str]) -> int:
    if args == ["--list"]:
        if apt_available():
            print(" ".join(choose([entry.split("|") for entry in wanted_packages()])))
        else:
            print(" ".join(entry.split("|")[0] for entry in SYSTEM_PACKAGES))
        return 0
    if args:
        print("usage: python3 dev.py system-deps [--list]", file=sys.stderr)
        return 2
    ensure_system_packages()
    say("system packages present" if apt_available() else "done")
    return 0


def cmd_run(args: list[str]) -> int:
    setup()
    app = venv_bin("printstall")
    if LINUX and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    ):
        note("no DISPLAY or WAYLAND_DISPLAY: the app needs a desktop session (or QT_QPA_PLATFORM=offscreen)")
    say("starting Printstall")
    command = [str(app), *args]
    if os.name == "posix":
        os.execve(command[0], command, tool_env())
    return run(command, check=False, env=tool_env()).returncode


def junit_counts(path: Path) -> dict[str, int] | None:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for key in counts:
            counts[key] += int(suite.get(key, "0"))
    return counts


def split_marker_args(args: list[str]) -> tuple[list[str], str | None]:
    """Take pytest's `-m EXPR` options out of args (the last one wins, as in pytest)."""
    rest: list[str] = []
    expression = None
    items = iter(args)
    for arg in items:
        if arg == "--":
            rest += [arg, *items]
        elif arg == "-m":
            expression = next(items, "")
        elif arg.startswith("-m") and not arg.startswith("--"):
            expression = arg[2:].lstrip("=")
        else:
            rest.append(arg)
    return rest, expression


def marker(own: str, user: str | None) -> str:
    return f"({user}) and {own}" if user else own


def cmd_test(args: list[str]) -> int:
    args, user_marker = split_marker_args(args)
    setup()
    checks: list[tuple[str, list[str]]] = [
        ("ruff check .", [str(venv_bin("ruff")), "check", "."]),
        ("mypy", [str(venv_bin("mypy"))]),
        ("lint-imports", [str(venv_bin("lint-imports"))]),
    ]
    for title, command in checks:
        say(title)
        code = run(command, check=False, env=tool_env()).returncode
        if code != 0:
            say(f"{title} failed (exit code {code})")
            return code

    with tempfile.TemporaryDirectory(prefix="printstall-tests-") as tmp:
        reports = [Path(tmp) / "offscreen.xml", Path(tmp) / "opengl.xml"]
        pytest = [str(venv_python()), "-m", "pytest"]

        own = marker("not opengl", user_marker)
        say(f"pytest -m {shlex.quote(own)} (QT_QPA_PLATFORM=offscreen)")
        command = [*pytest, "-m", own, f"--junitxml={reports[0]}", *args]
        first = run(command, check=False, env=tool_env(QT_QPA_PLATFORM="offscreen")).returncode
        # No tests collected fails the full run; a selection of the user's may hold only OpenGL tests.
        selection = bool(args) or user_marker is not None
        if first != 0 and not (first == 5 and selection):
            say(f"pytest (offscreen) failed (exit code {first})")
            return first

        own = marker("opengl", user_marker)
        command = [*pytest, "-m", own, f"--junitxml={reports[1]}", *args]
        if LINUX:
            xvfb_run = shutil.which("xvfb-run")
            if not xvfb_run:
                say("xvfb-run not found: cannot run the OpenGL tests (see `python3 dev.py system-deps`)")
                return 1
            say(f"pytest -m {shlex.quote(own)} (xvfb-run, QT_QPA_PLATFORM=xcb)")
            command = [xvfb_run, "-a", "-s", "-screen 0 1920x1080x24 -nolisten tcp", *command]
            env = tool_env(QT_QPA_PLATFORM="xcb")
        else:
            say(f"pytest -m {shlex.quote(own)} (native window system)")
            env = tool_env()
            env.pop("QT_QPA_PLATFORM", None)
        code = run(command, check=False, env=env).returncode
        if code == 5 and first == 5:
            say("no tests ran")
            return 5
        if code == 5:
            note("no OpenGL tests collected")
        elif code != 0:
            say(f"pytest (opengl) failed (exit code {code})")
            return code

        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for report in reports:
            for key, value in (junit_counts(report) or {}).items():
                totals[key] += value
    failed = totals["failures"] + totals["errors"]
    passed = totals["tests"] - failed - totals["skipped"]
    say("all checks passed")
    print(f"tests: {passed} passed, {failed} failed, {totals['skipped']} skipped")
    return 0


DOCTOR_SCRIPT = r"""
import sys
from PySide6.QtGui import QOffscreenSurface, QOpenGLContext, QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv)
label = QLabel("Printstall")
label.resize(120, 30)
image = label.grab().toImage()
size = f"{image.width()}x{image.height()}"
print(f"    platform {QGuiApplication.platformName()}: QApplication ok, rendered a label {size}")
if sys.argv[1:] == ["gl"]:
    context = QOpenGLContext()
    surface = QOffscreenSurface()
    surface.create()
    if not context.create() or not context.makeCurrent(surface):
        print("    OpenGL: no context")
        sys.exit(1)
    functions = context.functions()
    GL_VERSION, GL_RENDERER = 0x1F02, 0x1F01
    version = functions.glGetString(GL_VERSION)
    renderer = functions.glGetString(GL_RENDERER)
    print(f"    OpenGL: {version} ({renderer})")
"""


def cmd_doctor(args: list[str]) -> int:
    if not venv_works():
        say("no working .venv yet: run `python3 dev.py setup` first")
        return 1
    ok = True
    locate = "import importlib.util; print(importlib.util.find_spec('PySide6').submodule_search_locations[0])"
    found = run([venv_python(), "-c", locate], capture_output=True, check=False)
    if found.returncode != 0:
        say("PySide6 is not installed in .venv")
        return 1
    pyside = Path(found.stdout.decode().strip())
    if LINUX and shutil.which("ldd"):
        say("checking Qt's shared-library dependencies (ldd)")
        qt = pyside / "Qt"
        files = [qt / "lib" / f"libQt6{name}.so.6" for name in QT_LIBS]
        plugins = [path for pattern in QT_PLUGIN_GLOBS for path in sorted((qt / "plugins").glob(pattern))]
        # The PDF image format plugin needs QtPdf, which is in PySide6-Addons, not PySide6-Essentials.
        files += [path for path in plugins if path.name != "libqpdf.so"]
        files += sorted(pyside.glob("Qt*.so"))
        missing: dict[str, set[str]] = {}
        for path in files:
            if not path.exists():
                continue
            out = run(["ldd", path], capture_output=True, check=False).stdout.decode(errors="replace")
            for line in out.splitlines():
                if "not found" in line:
                    missing.setdefault(line.split()[0], set()).add(path.name)
        for lib, users in sorted(missing.items()):
            ok = False
            note(f"{lib} not found (needed by {', '.join(sorted(users))})")
        if not missing:
            note(f"all found ({len(files)} Qt libraries and plugins)")
    say("starting Qt offscreen")
    env = tool_env(QT_QPA_PLATFORM="offscreen")
    ok &= run([venv_python(), "-c", DOCTOR_SCRIPT], check=False, env=env).returncode == 0
    if LINUX and shutil.which("xvfb-run"):
        say("starting Qt on xcb under xvfb-run, with OpenGL")
        command = ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24 -nolisten tcp"]
        command += [str(venv_python()), "-c", DOCTOR_SCRIPT, "gl"]
        ok &= run(command, check=False, env=tool_env(QT_QPA_PLATFORM="xcb")).returncode == 0
    say("Qt looks fine" if ok else "problems found (see above)")
    return 0 if ok else 1


def cmd_bench(args: list[str]) -> int:
    """Run the benchmark suite (bench/); arguments pick modules by name."""
    setup()
    return run([str(venv_python()), "-m", "bench.run", *args], check=False, env=tool_env()).returncode


BUILD_SCRIPTS = {
    "linux": ["bash", "installers/build_linux.sh"],
    "win32": [
        "powershell",
        "-NoProfile",
        "-ExecutionPolicy",
        "Bypass",
        "-File",
        "installers\\build_windows.ps1",
    ],
    "darwin": ["bash", "installers/build_macos.sh"],
}


def cmd_build(args: list[str]) -> int:
    """Build the installed app and its installer for this platform into dist/ (see docs/install.md)."""
    if args:
        print("usage: python3 dev.py build", file=sys.stderr)
        return 2
    platform_key = "linux" if LINUX else sys.platform
    if platform_key not in BUILD_SCRIPTS:
        raise SetupError(f"no installer build for {sys.platform} (Linux, Windows and macOS only)")
    setup()
    say(f"building the app ({' '.join(BUILD_SCRIPTS[platform_key])})")
    env = tool_env(PYTHON=str(venv_python()))
    return run(BUILD_SCRIPTS[platform_key], check=False, env=env).returncode


def cmd_smoke_frozen(args: list[str]) -> int:
    """Check the built app in dist/ (not the source tree): see installers/smoke_test.py."""
    setup()
    command = [str(venv_python()), "installers/smoke_test.py", *args]
    return run(command, check=False, env=tool_env()).returncode


COMMANDS = {
    "run": cmd_run,
    "bench": cmd_bench,
    "build": cmd_build,
    "smoke-frozen": cmd_smoke_frozen,
    "test": cmd_test,
    "setup": cmd_setup,
    "system-deps": cmd_system_deps,
    "doctor": cmd_doctor,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"], ["help"]) else 2
    os.chdir(ROOT)
    try:
        return COMMANDS[argv[0]](argv[1:])
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        command = shlex.join(map(str, error.cmd))
        print(f"error: {command} failed (exit code {error.returncode})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
