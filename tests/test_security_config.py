"""The reviewed security settings and the code rules that keep one founder's data in their own session.

Static checks read the code instead of running it, so a new page that caches an upload globally
or renders raw HTML from a user value fails here before it ever reaches a browser.
"""

from __future__ import annotations

import ast
import gc
import tomllib
import weakref
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
# Code that runs inside the Streamlit server: the entry point, the pages and their helpers.
APP_CODE = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])
ALL_CODE = sorted([*APP_CODE, *(ROOT / "retention").rglob("*.py")])
TENANT = ROOT / "tests" / "fixtures" / "browser" / "tenant_a"
OTHER_TENANT = ROOT / "tests" / "fixtures" / "browser" / "tenant_b"
PROCESS_WIDE = (ROOT / "ui" / "sample.py", ROOT / "ui" / "media.py")


def test_xsrf_and_cors_protection_are_on() -> None:
    assert CONFIG["server"]["enableXsrfProtection"] is True
    assert CONFIG["server"].get("enableCORS", True) is True
    assert CONFIG["server"].get("enableStaticServing", False) is False


def test_users_never_see_tracebacks_or_error_links() -> None:
    assert CONFIG["client"]["showErrorDetails"] == "none"
    assert CONFIG["client"]["showErrorLinks"] is False
    assert CONFIG["client"]["toolbarMode"] == "minimal"


def test_usage_statistics_are_off() -> None:
    assert CONFIG["browser"]["gatherUsageStats"] is False


def test_limits_are_set_deliberately() -> None:
    # Set in the file (not Streamlit's silent default) and large enough for exports with millions of rows.
    assert 50 <= CONFIG["server"]["maxUploadSize"] <= 1000
    assert 0 < CONFIG["server"]["disconnectedSessionTTL"] <= 600
    assert CONFIG["server"]["headless"] is True
    assert CONFIG["server"]["runOnSave"] is False


def _calls(path: Path) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))) if isinstance(node, ast.Call)]


def _name(node: ast.AST) -> str:
    """`st.cache_data` -> 'cache_data', `functools.lru_cache` -> 'lru_cache', `cache` -> 'cache'."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _is_constant_content(node: ast.AST) -> bool:
    """Built only from literals and UPPER_CASE module constants: no user value can reach it."""
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and not child.id.isupper():
            return False
        if isinstance(child, ast.Call | ast.Attribute | ast.Subscript):
            return False
    return True


def test_raw_html_is_only_ever_built_from_constants() -> None:
    offenders = []
    for path in APP_CODE:
        for call in _calls(path):
            unsafe = any(k.arg == "unsafe_allow_html" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                         for k in call.keywords)
            raw_html = _name(call) == "html"  # st.html, components.html
            if (unsafe or raw_html) and not all(_is_constant_content(arg) for arg in call.args):
                offenders.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert not offenders, f"raw HTML built from non-constant values: {offenders}"


def test_no_global_cache_can_hold_a_users_data() -> None:
    """st.cache_data/st.cache_resource are shared by every session unless scope='session'; lru_cache always is."""
    offenders = []
    for path in ALL_CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute | ast.Name) and _name(node) in ("cache_data", "cache_resource", "experimental_memo",
                                                                             "experimental_singleton", "cache"):
                if _name(node) == "cache" and not (isinstance(node, ast.Attribute) and _name(node.value) == "st"):
                    continue  # functools.cache is checked below, only where user data flows
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {_name(node)}")
        for call in _calls(path):
            if _name(call) in ("cache_data", "cache_resource"):
                scope = next((k.value for k in call.keywords if k.arg == "scope"), None)
                if isinstance(scope, ast.Constant) and scope.value == "session":
                    offenders = [o for o in offenders if o != f"{path.relative_to(ROOT)}:{call.func.lineno} {_name(call)}"]
    # The only process-wide objects: the built-in sample (nobody's private data, keyed by its folder) and the
    # download sweeper's timer thread (no data at all); issue 20 §1 and issue 21 §6.
    for allowed in PROCESS_WIDE:
        shared = [o for o in offenders if o.startswith(f"{allowed.relative_to(ROOT)}:")]
        assert [o.split(" ", 1)[1] for o in shared] == ["cache_resource"], shared
        offenders = [o for o in offenders if o not in shared]
    for path in APP_CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Global):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} global {', '.join(node.names)}")
            if isinstance(node, ast.Attribute | ast.Name) and _name(node) in ("lru_cache", "cache") and not (
                    isinstance(node, ast.Attribute) and _name(node.value) == "st"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {_name(node)}")
    assert not offenders, f"process-wide caches in code that handles uploads: {offenders}"


def test_an_uploaded_data_set_lives_only_in_its_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a session ends, nothing in the process still holds its data set (no module global, no cache)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.syspath_prepend(str(ROOT))
    import ui.state

    # A tiny stand-in for the built-in sample keeps this test fast and independent of sample_data/.
    monkeypatch.setattr(ui.state, "SAMPLE_DIR", OTHER_TENANT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data.py").run()
    at.file_uploader[0].set_value(("subscriptions.csv", (TENANT / "subscriptions.csv").read_bytes(), "text/csv"))
    at.file_uploader[1].set_value(("customers.csv", (TENANT / "customers.csv").read_bytes(), "text/csv"))
    at.run()
    at.button(key="load_files").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/overview.py").run()
    assert not at.exception, [e.value for e in at.exception]
    data = at.session_state["dataset"]
    assert set(data.customers_table["customer_id"]) == {"alpha-7731", "alpha-7732", "alpha-7733"}
    dataset_ref, customers_ref = weakref.ref(data), weakref.ref(data.customers_table)
    del data, at
    gc.collect()
    assert dataset_ref() is None, "the uploaded data set outlived its session"
    assert customers_ref() is None, "the uploaded customers table outlived its session"


def test_every_download_is_built_on_click() -> None:
    """A download button given bytes registers a /media URL on every run, fetchable by anyone while the page
    is shown; given a callable, nothing exists before the click (see ui/media.py)."""
    offenders = []
    for path in APP_CODE:
        for call in _calls(path):
            if _name(call) != "download_button":
                continue
            data = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "data"), None)
            if not isinstance(data, ast.Lambda):
                offenders.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert not offenders, f"download buttons built from bytes instead of a callable: {offenders}"
