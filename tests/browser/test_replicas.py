"""Several server processes, as `deploy/nginx.conf` runs them: each replica serves its own sessions (issue 20 §1).

A Streamlit session lives in the memory of one process, so a deployment with several processes needs a
proxy that keeps each browser on one of them (sticky sessions).  This test starts two real app processes
on two ports with one shared workspace folder, puts one founder on each, and checks that each process
serves its own session only: its own numbers and customers, never the other's, its own session count,
and that stopping one replica leaves the other's founder working.  The proxy itself is configuration
(`deploy/nginx.conf`); its sticky and blocking rules are checked below without needing an nginx binary.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from conftest import VIEWPORT, StreamlitServer
from stpage import go_to, load_files, open_app
from test_session_isolation import A_MARKERS, B_MARKERS, A, B, assert_never_sees, customers_preview

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NGINX = ROOT / "deploy" / "nginx.conf"


def test_the_proxy_config_keeps_a_browser_on_one_replica_and_hides_metrics() -> None:
    text = re.sub(r"#.*", "", NGINX.read_text(encoding="utf-8"))
    upstream = re.search(r"upstream\s+retention_app\s*\{([^}]*)\}", text)
    assert upstream, "no upstream block"
    assert re.search(r"^\s*ip_hash\s*;", upstream.group(1), re.M), "the upstream is not sticky"
    assert len(re.findall(r"^\s*server\s+127\.0\.0\.1:\d+\s*;", upstream.group(1), re.M)) == 2
    assert re.search(r"location\s+\^~\s+/_stcore/metrics\s*\{\s*deny all;\s*\}", text), "metrics are not blocked"
    assert re.search(r"proxy_set_header\s+Upgrade\s+\$http_upgrade;", text), "the WebSocket upgrade is not passed on"
    assert re.search(r"client_max_body_size\s+200m;", text), "nginx would refuse uploads the app accepts"


def test_two_app_processes_serve_their_sessions_independently(browser) -> None:
    workspace = tempfile.mkdtemp(prefix="retention-replicas-workspace-")
    first = StreamlitServer(name="replica-1", env={"RETENTION_WORKSPACE": workspace})
    second = None
    contexts = []
    try:
        second = StreamlitServer(name="replica-2", env={"RETENTION_WORKSPACE": workspace})
        assert first.port != second.port
        alice_context, bob_context = browser.new_context(viewport=VIEWPORT), browser.new_context(viewport=VIEWPORT)
        contexts += [alice_context, bob_context]
        alice, bob = alice_context.new_page(), bob_context.new_page()
        open_app(alice, first.url)
        open_app(bob, second.url)
        load_files(alice, A / "subscriptions.csv", A / "customers.csv")
        load_files(bob, B / "subscriptions.csv", B / "customers.csv")
        # Each process knows only the session a browser opened on it.
        assert first.metric("active_sessions") == 1
        assert second.metric("active_sessions") == 1
        preview = customers_preview(alice)
        assert all(marker in preview for marker in A_MARKERS[:3]), preview
        assert_never_sees(alice, B_MARKERS, "Alice on replica 1")
        preview = customers_preview(bob)
        assert all(marker in preview for marker in B_MARKERS[:4]), preview
        assert_never_sees(bob, A_MARKERS, "Bob on replica 2")
        # A replica going away takes only its own sessions with it.
        first.stop()
        go_to(bob, "Overview")
        preview = customers_preview(bob)
        assert all(marker in preview for marker in B_MARKERS[:4]), preview
        assert second.metric("active_sessions") == 1
    finally:
        for context in contexts:
            context.close()
        first.stop()
        if second is not None:
            second.stop()
