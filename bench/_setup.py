"""What several benchmarks share: a database to run in (a temporary SQLite one, or the
PostgreSQL one a URL names, created if missing) with the demo city loaded, and a server
started and stopped on a free port."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_in_database(database_url: str, prefix: str, run, *args) -> None:
    """run(*args) with Django pointed at `database_url`, or at SQLite in a temporary
    SHIYU_VAR_DIR that is removed afterwards."""
    var = None
    if database_url:
        os.environ["DATABASE_URL"] = database_url
        if database_url.startswith(("postgres", "pgsql")):
            create_postgres_database(database_url)
    else:
        os.environ.pop("DATABASE_URL", None)
        var = tempfile.mkdtemp(prefix=prefix)
        os.environ["SHIYU_VAR_DIR"] = var
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shiyu.settings")
    try:
        run(*args)
    finally:
        if var:
            shutil.rmtree(var, ignore_errors=True)


def create_postgres_database(url: str) -> None:
    """CREATE DATABASE if it does not exist (connecting to the server's `postgres` database)."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    params = dict(host=config["HOST"] or None, port=config["PORT"] or None, user=config["USER"] or None,
                  password=config["PASSWORD"] or None, dbname="postgres", autocommit=True)
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            log(f"creating database {config['NAME']}")
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def setup_demo_city(seed: int) -> None:
    """django.setup(), migrate, and load the demo city if the database has none."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shiyu.demo.build import build_city, demo_exists

    log(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0, interactive=False)
    if not demo_exists():
        log("loading the demo city")
        build_city(seed, progress=lambda label: log(f"  {label}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(server: subprocess.Popen) -> None:
    """Stop a server started in its own session, and everything it started."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
