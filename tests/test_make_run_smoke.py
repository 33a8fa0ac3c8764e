"""`make run` smoke: the launcher starts web, worker and beat, the login page answers, and
Ctrl-C stops every process it started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import psycopg2
import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smoke_database():
    """A database of its own, created by the launcher through the administrator URL, just
    as `make run` provisions one; dropped afterwards."""
    admin_url = os.environ["DATABASE_ADMIN_URL"]
    name = f"kra_smoke_{os.getpid()}"
    admin = psycopg2.connect(admin_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    yield name
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_make_run_starts_answers_and_stops_cleanly(smoke_database, tmp_path):
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_OWNER_URL")},
        "DATABASE_NAME": smoke_database,
        "CELERY_QUEUE": f"smoke-{os.getpid()}",
        "DJANGO_SETTINGS_MODULE": "kra_platform.settings.local",
    }
    log = open(tmp_path / "run.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "scripts/run.py", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        body = ""
        deadline = time.time() + 240
        while time.time() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(1)
        log.seek(0)
        output = log.read()
        assert "Log in" in body, output
        assert "admin@demo.kra" in output
        children = psutil.Process(proc.pid).children(recursive=True)
        names = " ".join(" ".join(c.cmdline()) for c in children)
        assert "runserver" in names and "worker" in names and "beat" in names
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    assert proc.returncode == 0
    log.seek(0)
    assert "Stopped." in log.read()
    for child in children:
        assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE
