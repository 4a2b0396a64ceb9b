"""Access modes in the app: local (this machine only), team (sign-in first), demo (sample data only).

One setting chooses the mode: `RETENTION_MODE` or `[access] mode` in `.streamlit/secrets.toml`.

- *local*: no sign-in; the app serves only a loopback address (127.0.0.1, ::1, localhost) and
  refuses to show anything otherwise, so a laptop's workspace is never on the office network.
- *team*: nothing of the workspace reaches a browser before sign-in: `app.py` replaces the whole
  navigation by the sign-in page, and every page checks again (`require`) before it draws.
  Users come from `python -m retention users add` (Argon2id hashes); teams with an identity
  provider can sign in with Streamlit's OIDC (`st.login`) when `[auth]` is configured, and map
  e-mail addresses to roles with `[access] editors = [...]` / `viewers = [...]`.
- *demo*: the sample data and session-only uploads, no workspace and no sign-in.
"""

from __future__ import annotations

import ipaddress
import time

import streamlit as st

from retention.workspace import WorkspaceError, access_mode
from retention.workspace.config import secrets
from ui import state
from ui.render import md

FAILURE_DELAY_SECONDS = 1.0
"""Every failed sign-in answers after this pause, on top of the growing wait of retention.access."""


def mode() -> str:
    try:
        return access_mode()
    except ValueError as exc:
        st.error(md(str(exc)))
        st.stop()
        raise


def is_loopback(address: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost; an empty address means every interface."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def user() -> dict | None:
    """The signed-in user of this session: {"name", "role"} (None when nobody is)."""
    return st.session_state.get("signed_in")


def can_edit() -> bool:
    """Local mode: the person at the machine edits.  Team mode: editors only.  Demo: nobody saves."""
    current = mode()
    if current == "local":
        return True
    if current == "team":
        signed = user()
        return bool(signed and signed.get("role") == "editor")
    return False


def user_name() -> str | None:
    signed = user()
    return signed["name"] if signed else None


def _oidc_configured() -> bool:
    auth = secrets().get("auth", {})
    return isinstance(auth, dict) and bool(auth.get("client_id") or any(isinstance(v, dict) for v in auth.values()))


def _oidc_user() -> dict | None:
    """The identity provider's user, with a role from `[access] editors/viewers`; None when unknown."""
    if not _oidc_configured():
        return None
    info = st.user
    if not getattr(info, "is_logged_in", False):
        return None
    email = str(info.get("email") or "").lower()
    settings = secrets().get("access", {})
    editors = {str(e).lower() for e in settings.get("editors", [])}
    viewers = {str(e).lower() for e in settings.get("viewers", [])}
    if email in editors:
        return {"name": email, "role": "editor", "oidc": True}
    if email in viewers or settings.get("any_signed_in_user_views"):
        return {"name": email, "role": "viewer", "oidc": True}
    return None


def signed_out() -> bool:
    """True when this session may see nothing of the workspace yet (team mode, nobody signed in)."""
    if mode() != "team":
        return False
    if user() is None:
        found = _oidc_user()
        if found is not None:
            st.session_state["signed_in"] = found
    return user() is None


def refuse_if_exposed() -> None:
    """Local mode on a non-loopback address: say why and serve nothing."""
    if mode() != "local":
        return
    address = st.get_option("server.address")
    if not is_loopback(address):
        tr = state.tr()
        st.error(tr("This dashboard runs in local mode, which has no sign-in, so it only serves this machine "
                    "(127.0.0.1). It was started on the address '{address}'. Start it with "
                    "--server.address 127.0.0.1, or set RETENTION_MODE=team and add users to share it.",
                    address=md(address or "0.0.0.0")))
        st.stop()


def require() -> None:
    """Every page calls this (through `ui.boot.ensure_app`): nothing is drawn for a signed-out session."""
    refuse_if_exposed()
    if signed_out():
        st.stop()


def sign_in_page() -> None:
    """The only page a signed-out session of a team workspace sees: no dataset name, file name or number."""
    tr = state.tr()
    st.title(tr("Sign in"))
    st.caption(tr("This retention dashboard is shared with a team. Sign in to see its data."))
    if _oidc_configured():
        if st.button(tr("Sign in with your company account"), type="primary", key="oidc_login"):
            st.login()
        if getattr(st.user, "is_logged_in", False) and _oidc_user() is None:
            st.error(tr("Your account is signed in but has no access to this dashboard; ask an editor to add it."))
        st.divider()
    with st.form("sign_in", clear_on_submit=False):
        name = st.text_input(tr("User name"), key="sign_in_name", autocomplete="username")
        password = st.text_input(tr("Password"), type="password", key="sign_in_password", autocomplete="current-password")
        submitted = st.form_submit_button(tr("Sign in"), type="primary")
    if not submitted:
        return
    from retention.access import SignInRefused, authenticate
    from ui.workspace import open_store

    try:
        found = authenticate(open_store(), name, password)
    except SignInRefused as exc:
        st.error(tr("Too many failed sign-ins for this name. Try again in {seconds} s.", seconds=int(exc.wait_seconds + 0.999)))
        return
    except WorkspaceError as exc:
        st.error(md(exc.message(tr)))
        return
    if found is None:
        time.sleep(FAILURE_DELAY_SECONDS)
        st.error(tr("Wrong user name or password."))
        return
    st.session_state["signed_in"] = {"name": found.name, "role": found.role}
    st.session_state.pop("sign_in_password", None)
    st.rerun()


def sidebar_account() -> None:
    """Who is signed in, with a sign-out button (team mode)."""
    signed = user()
    if mode() != "team" or signed is None:
        return
    tr = state.tr()
    roles = {"editor": tr("editor"), "viewer": tr("viewer")}
    st.sidebar.caption(md(tr("Signed in as {name} ({role})", name=signed["name"], role=roles.get(signed["role"], ""))))
    if st.sidebar.button(tr("Sign out"), key="sign_out"):
        oidc = signed.get("oidc")
        for key in list(st.session_state.keys()):
            del st.session_state[key]
        if oidc:
            st.logout()
        st.rerun()
