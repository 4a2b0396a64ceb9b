"""Throwaway servers for tests and benchmarks: a PostgreSQL cluster and a local Spark session.

Both are real (Debian's `postgresql` and `openjdk-17-jre-headless`, installed by `./dev` when
missing; `pyspark` from PyPI), started here and removed afterwards, so the warehouse engine is
tested against the engines it runs on and never against a mock.  A server that cannot start raises
`ServerError` with what it printed: a test run fails, it is never skipped.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class ServerError(RuntimeError):
    """A throwaway server could not start; the message says why and how to install what is missing."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin(name: str) -> str:
    """Debian keeps PostgreSQL's server programs in /usr/lib/postgresql/<version>/bin, off PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[4]) if Path(p).parts[4].isdigit() else 0)
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise ServerError(f"PostgreSQL's {name} is not installed: run ./dev test (it installs Debian's postgresql)")


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` user with runuser."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@contextmanager
def postgres() -> Iterator[str]:
    """A fresh PostgreSQL cluster in a temporary directory on a free port; yields its URL.

    `initdb` with trust authentication on 127.0.0.1 only, fsync off (a throwaway cluster needs no
    durability); stopped and deleted on exit.
    """
    root = Path(tempfile.mkdtemp(prefix="retention-pg-"))
    data, log = root / "data", root / "server.log"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    os.chmod(root, 0o700)
    port = free_port()
    started = False
    try:
        _run(_as_postgres([_pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]))
        _run(_as_postgres([
            _pg_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "start",
            "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off",
        ]), log)
        started = True
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(_as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                           capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)


def _run(args: list[str], log: Path | None = None) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log is not None and log.exists() else ""
        raise ServerError(f"{Path(args[args.index('--') + 1] if '--' in args else args[0]).name} failed: "
                          f"{done.stderr.strip() or done.stdout.strip()}\n{tail}")


@contextmanager
def spark(partitions: int = 2) -> Iterator[object]:
    """One local Spark session (2 cores, few shuffle partitions, UTC, no UI); stopped on exit."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise ServerError("Java is not installed: run ./dev test (it installs Debian's openjdk-17-jre-headless)")
    from pyspark.sql import SparkSession

    warehouse = tempfile.mkdtemp(prefix="retention-spark-")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("retention")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.default.parallelism", str(partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.sql.warehouse.dir", warehouse)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
        shutil.rmtree(warehouse, ignore_errors=True)
