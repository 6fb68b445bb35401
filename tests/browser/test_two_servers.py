"""Two app servers on one PostgreSQL database, directly and behind nginx: officers finish on
either, a server killed mid-course loses nothing, the coordinator sees everyone from either
server, and the lockout holds on both."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Page, expect

from tests import pg
from tests.browser.conftest import (
    COORDINATOR_PASSWORD,
    ROOT,
    AppServer,
    _free_port,
    start_app,
    stop_app,
    wait_idle,
)
from tests.browser.test_officer_journey import (
    OFFICER_NAME,
    answer_correctly,
    button,
    heading,
    pass_check,
    press_next,
    questions_on_page,
    sign_in,
    unique_badge,
)
from tests.isolation import outside_project
from training.auth import hash_password
from training.content import Course, load_course
from training.storage.migrate import migrate

pytestmark = pytest.mark.browser
SECRET = "two-servers-secret"


@dataclass
class Cluster:
    url: str  # the database
    env: dict[str, str]
    logs: Path
    ports: list[int]
    servers: list[subprocess.Popen[bytes] | None] = field(default_factory=list)

    def app(self, i: int) -> AppServer:
        return AppServer(f"http://127.0.0.1:{self.ports[i]}", Path("/nonexistent"))

    def start(self, i: int) -> None:
        self.servers[i] = start_app(self.env, self.logs / f"server{i}", self.ports[i])

    def kill(self, i: int) -> None:
        """SIGKILL, as a machine dying would: no shutdown code runs."""
        process = self.servers[i]
        assert process is not None
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.servers[i] = None

    def ensure_up(self) -> None:
        for i, process in enumerate(self.servers):
            if process is None or process.poll() is not None:
                self.start(i)


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(ROOT)


@pytest.fixture(scope="module")
def cluster(
    postgres: pg.PrivatePostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS two_servers WITH (FORCE)")
        conn.execute("CREATE DATABASE two_servers")
        conn.execute(
            "DO $$ BEGIN CREATE ROLE training_app LOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    migrate(postgres.url("two_servers"))
    url = postgres.url("two_servers", "training_app")
    env = {
        "TRAINING_DATABASE_URL": url,
        "TRAINING_SECRET_KEY": SECRET,
        "TRAINING_SEAT_TIME_SCALE": "0",
        "TRAINING_COORDINATOR_PASSWORD_HASH": hash_password(COORDINATOR_PASSWORD),
        "TRAINING_RESULTS_DIR": str(tmp_path_factory.mktemp("must-stay-empty") / "results"),
    }
    made = Cluster(url, env, tmp_path_factory.mktemp("two-servers"), [_free_port(), _free_port()])
    made.servers = [None, None]
    try:
        made.start(0)
        made.start(1)
        yield made
        assert not Path(env["TRAINING_RESULTS_DIR"]).exists(), "nothing under results/"
    finally:
        for process in made.servers:
            if process is not None:
                stop_app(process)


def _finish_from(page: Page, course: Course, lesson_index: int) -> None:
    """Press on from the lesson shown to the end of the course, passing everything."""
    index = 0
    for module in course.modules:
        for _ in module.lessons:
            if index >= lesson_index:
                press_next(page, course, index)
            index += 1
        if index > lesson_index:
            pass_check(page, course.check_for(module))
    final = course.final
    expect(heading(page, final.title)).to_be_visible()
    for question in questions_on_page(page, final, final.draw_count):
        answer_correctly(page, question)
    wait_idle(page)
    button(page, "Submit answers").click()
    expect(heading(page, "Training complete")).to_be_visible()


def _completions(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        return [
            (r[0], r[1])
            for r in conn.execute("SELECT badge_number, officer_name FROM completions ORDER BY seq")
        ]


def _console(page: Page, app: AppServer) -> None:
    page.goto(f"{app.url}/coordinator")
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    wait_idle(page)
    page.get_by_label("Password", exact=True).fill(COORDINATOR_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    wait_idle(page)


def test_officers_finish_on_either_server_and_one_survives_a_server_killed_mid_course(
    cluster: Cluster,
    course: Course,
    page: Page,
    new_page,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    cluster.ensure_up()
    a, b = unique_badge(), unique_badge()
    sign_in(page, cluster.app(0), OFFICER_NAME, a)
    _finish_from(page, course, 0)

    other = new_page()
    sign_in(other, cluster.app(0), "Sam Lee", b)
    for index in range(3):
        press_next(other, course, index)
    expect(heading(other, course.lessons[3].title)).to_be_visible()
    cluster.kill(0)
    again = new_page()
    sign_in(again, cluster.app(1), "Sam Lee", b)
    expect(heading(again, course.lessons[3].title)).to_be_visible()
    _finish_from(again, course, 3)

    assert _completions(cluster.url) == [(a.upper(), OFFICER_NAME), (b.upper(), "Sam Lee")]
    cluster.start(0)
    for i in (0, 1):
        console = new_page()
        _console(console, cluster.app(i))
        for badge in (a, b):
            expect(
                console.get_by_role("gridcell", name=badge.upper(), exact=True, include_hidden=True)
            ).to_be_attached()
    out = tmp_path / "export.csv"
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-m", "training", "export", "--out", str(out)],
        cwd=outside_project(),  # no secrets.toml of the project
        env={**os.environ, **cluster.env},
        check=True,
        capture_output=True,
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["badge_number"] for r in rows] == [a.upper(), b.upper()]


def test_the_coordinator_lockout_holds_on_every_server(
    cluster: Cluster,
    page: Page,
    new_page,  # type: ignore[no-untyped-def]
) -> None:
    cluster.ensure_up()
    try:
        page.goto(f"{cluster.app(0).url}/coordinator")
        for _ in range(5):
            expect(page.get_by_label("Password", exact=True)).to_be_visible()
            wait_idle(page)
            page.get_by_label("Password", exact=True).fill("not the password at all")
            page.get_by_role("button", name="Sign in", exact=True).click()
            wait_idle(page)
        expect(page.get_by_text("Too many wrong passwords")).to_be_visible()
        elsewhere = new_page()
        elsewhere.goto(f"{cluster.app(1).url}/coordinator")
        expect(elsewhere.get_by_text("Too many wrong passwords")).to_be_visible()
        expect(elsewhere.get_by_label("Password", exact=True)).to_have_count(0)
    finally:
        # The next tests sign in, also when this one failed half-way.
        with psycopg.connect(
            cluster.url.replace("user=training_app", "user=postgres"), autocommit=True
        ) as conn:
            conn.execute("DELETE FROM sign_in_lockouts")


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_CONF = """
worker_processes 1;
error_log {dir}/error.log;
pid {dir}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream training {{
        ip_hash;
        server 127.0.0.1:{a} max_fails=1 fail_timeout=10s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=10s;
    }}
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://training;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 86400s;
            proxy_next_upstream error timeout http_502 http_503;
        }}
    }}
}}
"""


@pytest.fixture
def nginx(cluster: Cluster, tmp_path: Path) -> Iterator[str]:
    if not Path(NGINX).exists():
        pytest.fail(
            "nginx is missing: `make test` installs it (apt-get install nginx)", pytrace=False
        )
    port = _free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(dir=tmp_path, a=cluster.ports[0], b=cluster.ports[1], port=port)
    )
    log = tmp_path / "nginx-stderr.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [NGINX, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
            start_new_session=True,
            stderr=stderr,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                errors = log.read_text(errors="replace")
                if (tmp_path / "error.log").exists():
                    errors += (tmp_path / "error.log").read_text(errors="replace")
                pytest.fail(f"nginx did not start:\n{errors[-2000:]}", pytrace=False)
            time.sleep(0.1)
        yield url
    finally:
        stop_app(process)  # SIGTERM to its process group, SIGKILL if that is not enough


def _established_local_ports() -> list[int]:
    """The local ports of this machine's established TCP connections (IPv4 and IPv6), from
    /proc/net: what `ss -tn state established` lists, without needing iproute2."""
    ports = []
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        try:
            rows = table.read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "01":  # TCP_ESTABLISHED
                ports.append(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _serving(cluster: Cluster) -> int:
    """Which server holds the browser's websocket: the one with an established connection
    from nginx (ip_hash sends this client to one of them)."""
    ports = _established_local_ports()
    for i, port in enumerate(cluster.ports):
        if port in ports:
            return i
    raise AssertionError(f"no established connection to either server {cluster.ports}")


def test_behind_nginx_the_officer_reloads_after_a_server_dies_and_goes_on(
    cluster: Cluster, course: Course, nginx: str, page: Page
) -> None:
    cluster.ensure_up()
    front = AppServer(nginx, Path("/nonexistent"))
    sign_in(page, front, OFFICER_NAME, unique_badge())
    press_next(page, course, 0)
    expect(heading(page, course.lessons[1].title)).to_be_visible()
    cluster.kill(_serving(cluster))
    page.reload()
    expect(heading(page, course.lessons[1].title)).to_be_visible(timeout=20_000)
    press_next(page, course, 1)
    expect(heading(page, course.lessons[2].title)).to_be_visible()
