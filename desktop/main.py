"""The `printstall` entry point: the command line, and the window when no command is given."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path


def launch_gui(data_dir: Path | None, quit_after: float | None) -> int:
    from desktop.app import run_app  # Qt is imported only when a window is wanted

    return run_app(data_dir, quit_after=quit_after)


def main(argv: list[str] | None = None) -> None:
    # Must come first: in a frozen build each worker process re-runs main() otherwise.
    multiprocessing.freeze_support()
    from core.cli import build_cli

    build_cli(launch_gui)(args=sys.argv[1:] if argv is None else argv, prog_name="printstall")


if __name__ == "__main__":
    main()
