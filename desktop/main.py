"""The `printstall` entry point: the command line, and the window when no command is given.

`printstall FILE...` (what a double-click on a file associated with Printstall runs) opens the window and
imports the files: arguments that name an existing file or folder, rather than a command, are read as
`printstall gui -- FILE...`. A file named like a command is still the command; `printstall gui FILE` opens it.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import click

STARTED = time.perf_counter()  # the start of the process, as near as Python code can tell


def launch_gui(data_dir: Path | None, quit_after: float | None, paths: Sequence[Path] = ()) -> int:
    from desktop.app import run_app  # Qt is imported only when a window is wanted

    return run_app(data_dir, quit_after=quit_after, paths=paths, started=STARTED)


def files_as_gui_args(cli: click.Group, args: list[str]) -> list[str]:
    """`args` with `gui --` put before the first argument when it names an existing path and no command
    (after the options of `cli` itself); `args` unchanged otherwise."""
    valued = {name for p in cli.params if isinstance(p, click.Option) and not p.is_flag for name in p.opts}
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] != "--":
        option = args[index].split("=", 1)[0]
        if option not in valued:
            return args  # --help, --version, or an unknown option: click answers
        index += 1 if "=" in args[index] else 2
    rest = args[index:]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    if not rest or rest[0] in cli.commands or not Path(rest[0]).exists():
        return args
    return [*args[:index], "gui", "--", *rest]


def main(argv: list[str] | None = None) -> None:
    # Must come first: in a frozen build each worker process re-runs main() otherwise.
    multiprocessing.freeze_support()
    from core.cli import build_cli

    cli = build_cli(launch_gui)
    args = sys.argv[1:] if argv is None else argv
    cli(args=files_as_gui_args(cli, args), prog_name="printstall")


if __name__ == "__main__":
    main()
