"""Browser-suite plumbing: a real Streamlit server and Debian's headless Chromium, shared by every test.

One server and one browser per test session keep the suite inside a few minutes on two cores;
tests that need a clean Streamlit session open their own browser context (a context is a fresh
browser profile, so it gets its own cookies and its own Streamlit session).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1400, "height": 900}
STARTUP_SECONDS = 90
STRICT_SESSION_TTL = 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/browser that uses the browser is a browser test, even if a test forgets the mark."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()) and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StreamlitServer:
    """`streamlit run` in a subprocess from the repo root, so it reads the project's .streamlit/config.toml."""

    def __init__(self, script: str = "app.py", *options: str, name: str = "app", env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        OUTPUT.mkdir(exist_ok=True)
        self.log_path = OUTPUT / f"streamlit-{name}.log"
        extra_env = env
        env = dict(os.environ)
        # The suite always runs on the real built-in sample data, whatever the developer's shell says.
        env.pop("RETENTION_SAMPLE_DIR", None)
        # Its own empty workspace in local mode, unless the test says otherwise.
        env.pop("RETENTION_MODE", None)
        env["RETENTION_WORKSPACE"] = tempfile.mkdtemp(prefix=f"retention-{name}-workspace-")
        env.update(extra_env or {})
        self.workspace = Path(env["RETENTION_WORKSPACE"])
        command = [
            sys.executable, "-m", "streamlit", "run", script,
            "--server.port", str(self.port), "--server.address", "127.0.0.1", "--server.headless", "true",
            # Engineers edit files while the suite runs; a watcher would only add reruns and noise.
            "--server.fileWatcherType", "none",
            *options,
        ]
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"Streamlit did not become healthy; log:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def metrics(self) -> str:
        """The server's OpenMetrics text (`/_stcore/metrics`): active sessions and per-kind memory."""
        with urllib.request.urlopen(f"{self.url}/_stcore/metrics", timeout=10) as response:
            return response.read().decode()

    def metric(self, line_start: str) -> float:
        """One value of `/_stcore/metrics`, e.g. 'active_sessions' (0 when the server does not report it)."""
        for line in self.metrics().splitlines():
            if line.startswith(line_start):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self._log.close()


@pytest.fixture(scope="session")
def server() -> Iterator[StreamlitServer]:
    """The dashboard on the built-in sample data, shared by the whole browser suite."""
    app = StreamlitServer(name="app")
    yield app
    app.stop()


@pytest.fixture(scope="session")
def strict_server() -> Iterator[StreamlitServer]:
    """A second server with tight limits: uploads above 1 MB refused, a closed tab's session dropped after 2 s.

    The limits are the project's settings turned down so the tests can observe them quickly: a
    2 MB file is enough to cross the upload limit, and a closed session's data is freed in seconds.
    """
    app = StreamlitServer("app.py", "--server.maxUploadSize", "1", "--server.disconnectedSessionTTL", str(STRICT_SESSION_TTL),
                          name="strict")
    yield app
    app.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (./dev test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = OUTPUT / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
