"""The script the frozen app starts from (installers/printstall.spec): the same entry point as `printstall`.

`desktop.main.main` calls `multiprocessing.freeze_support()` first, so the import pool's worker processes,
which the frozen app starts as copies of itself, run their task instead of a second app.
"""

from desktop.main import main

if __name__ == "__main__":
    main()
