#!/usr/bin/env python
"""`make run`: the whole product on one machine.

Starts the embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set, migrates,
seeds the demo organisation (idempotent), then runs the web server, a Celery worker and
Celery beat together. Ctrl-C (or SIGTERM) stops all of them, and the embedded servers this
command started.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()

    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "kra_platform.settings.local")
    env.setdefault("SITE_URL", f"http://{args.host}:{args.port}")
    started_embedded = not env.get("DATABASE_URL") and not env.get("DATABASE_ADMIN_URL")
    if started_embedded:
        print("Starting the embedded PostgreSQL in .data/pg …", flush=True)
    # Create the database roles and the database once, then give every child the URLs.
    from kra_platform.database import provision_from_environment

    provision_from_environment(env)
    if not env.get("REDIS_URL"):
        from kra_platform import embedded

        print("Starting the embedded Redis in .data/redis …", flush=True)
        env["REDIS_URL"] = embedded.redis_url()
        started_embedded = True

    # Migrations run as the owner role; everything else as the application role.
    subprocess.run(
        [PY, "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env={**env, "KRA_DB_AS_OWNER": "1"},
        check=True,
    )
    if not args.no_seed and not env.get("DATABASE_MAINTENANCE_URL"):
        print("DATABASE_MAINTENANCE_URL is not set: the demo organisation is not seeded.")
    elif not args.no_seed:
        # Seeding works across organisations: the maintenance role, for this command only.
        subprocess.run(
            [PY, "manage.py", "seed_demo"],
            cwd=ROOT,
            env={**env, "KRA_DB_AS_MAINTENANCE": "1"},
            check=True,
        )

    queue = env.get("CELERY_QUEUE", "kra")
    commands = {
        "web": [PY, "manage.py", "runserver", f"{args.host}:{args.port}", "--noreload"],
        "worker": [
            PY,
            "-m",
            "celery",
            "-A",
            "kra_platform",
            "worker",
            "-Q",
            queue,
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
        ],
        "beat": [
            PY,
            "-m",
            "celery",
            "-A",
            "kra_platform",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(ROOT / ".data" / "celerybeat-schedule"),
        ],
    }
    (ROOT / ".data").mkdir(exist_ok=True)
    # Web, worker and beat hold the application role's credentials only.
    server_env = {
        k: v
        for k, v in env.items()
        if k not in ("DATABASE_ADMIN_URL", "DATABASE_OWNER_URL", "DATABASE_MAINTENANCE_URL")
    }
    children: dict[str, subprocess.Popen] = {}
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for name, argv in commands.items():
        # Own process group: Ctrl-C reaches us once and we stop children in order.
        children[name] = subprocess.Popen(argv, cwd=ROOT, env=server_env, start_new_session=True)
    print(
        f"\nKRA Platform is running at http://{args.host}:{args.port}/\n"
        "Demo logins (password: demo-pass-2026):\n"
        "  org admin  admin@demo.kra\n"
        "  HR         hr@demo.kra\n"
        "  manager    manager@demo.kra\n"
        "  employee   employee@demo.kra\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )
    exit_code = 0
    while not stopping:
        for name, proc in children.items():
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping.", flush=True)
                exit_code = proc.returncode or 1
                stopping = True
        time.sleep(0.3)

    for proc in children.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.time() + 15
    for proc in children.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if started_embedded:
        from kra_platform import embedded

        embedded.stop()
    print("Stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
