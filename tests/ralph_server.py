"""Serves Ralph's LRS (ralph.api:app, the app `ralph runserver` serves) with its file-system
backend writing every statement. Run with the Python of Ralph's own virtual environment
(tests/lrs.py starts it): `python tests/ralph_server.py HOST PORT`.

Why not `ralph runserver` as it is: in Ralph 5.x the file-system backend opens its one
statements file in "create" mode, so the first POST creates it and every later one answers
HTTP 500 ("already exists"). Ralph's other LRS backends need Elasticsearch, MongoDB or
ClickHouse servers, which these machines do not have. The backend's writer has an append mode
(`BaseOperationType.APPEND`, Ralph's own); setting it as the backend's default before the app
is imported makes each POST append its statements to the file, and a restarted server keeps
appending to the same file. Everything else is Ralph as shipped: its API, validation, Basic
auth from the file `ralph auth` writes, and its answers for a statement id it already holds.
`ralph runserver` also runs uvicorn with auto-reload (a watcher process and a child process);
the tests need neither, and one process is simpler to stop and start again.
"""

from __future__ import annotations

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
    uvicorn.run("ralph.api:app", host=host, port=port, log_level="warning")


if __name__ == "__main__":
    main()
