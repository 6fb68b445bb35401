"""`streamlit run app.py`, plus a thread that writes the server's connection-pool figures.

benchmarks/capacity.py starts each app server with this instead of the `streamlit` command:
`python benchmarks/capacity_server.py STATS_FILE [streamlit run options...]`. Streamlit runs
in this process exactly as `streamlit run` runs it (the same command-line entry point); the only
addition is a daemon thread that, twice a second, replaces STATS_FILE with the figures of the
Store's psycopg pool (`get_stats()`: requests, how many had to wait, the time they waited) once
the app has opened one. The CSV store has no pool; the file then says so.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def _pool_stats() -> dict[str, int] | None:
    # The app's own module, imported by the app: looked up, never imported here first.
    storage = sys.modules.get("training.storage")
    if storage is None:
        return None
    for store in list(getattr(storage, "_opened", {}).values()):
        pool = getattr(store, "pool", None)
        if pool is not None:
            return dict(pool.get_stats())
    return None


def _write_stats(path: Path) -> None:
    while True:
        figures = {"at": time.time(), "pool": _pool_stats()}
        aside = path.with_suffix(".tmp")
        aside.write_text(json.dumps(figures))
        os.replace(aside, path)
        time.sleep(0.5)


def main() -> None:
    stats = Path(sys.argv[1])
    threading.Thread(target=_write_stats, args=(stats,), daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *sys.argv[2:]]
    cli.main()


if __name__ == "__main__":
    main()
