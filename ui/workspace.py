"""The workspace in the app: which saved dataset this session shows, the sidebar picker, saving and rollback.

A session shows either the built-in sample, an upload not saved yet, or a saved dataset (name and
version kept in the session).  A new session opens on the dataset the URL names (`?dataset=acme`,
so a bookmarked or shared link opens the same data), else on the most recently updated dataset,
else on the sample data, labelled as such.  The URL carries the dataset's name only, never a
version: a link opened next week shows the newest version.

Nothing here keeps data outside `st.session_state`; the workspace is opened per operation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st

from retention.dataset import Dataset
from retention.workspace import WorkspaceError, access_mode, workspace_path
from ui import state
from ui.render import md

URL_KEY = "dataset"
SAMPLE = "\x00sample"
WAIT_SECONDS = 15.0


def enabled() -> bool:
    """Local and team mode keep data in the workspace; demo mode shows the sample and session uploads only."""
    return access_mode() != "demo"


def open_store():
    """The configured workspace (opened per operation; nothing is held between runs)."""
    from retention.workspace import Workspace

    return Workspace(workspace_path(), wait=WAIT_SECONDS)


def current() -> tuple[str, int] | None:
    """(name, version) of the saved dataset this session shows; None for the sample or an unsaved upload."""
    return st.session_state.get("workspace_dataset")


def show(name: str, version: int | None = None) -> bool:
    """Load a saved dataset (default: its current version) into the session; False with a message when it cannot be."""
    tr = state.tr()
    try:
        store = open_store()
        info = store.version(name, version)
        data = store.load(info.dataset, info.version)
    except WorkspaceError as exc:
        st.error(md(exc.message(tr)))
        return False
    state.set_dataset(data, source="workspace")
    st.session_state["workspace_dataset"] = (info.dataset, info.version)
    st.session_state.pop("upload_sources", None)
    return True


def forget() -> None:
    st.session_state.pop("workspace_dataset", None)


def open_initial() -> bool:
    """On a session's first run: the URL's dataset, else the newest saved one. False: use the sample."""
    if not enabled():
        return False
    try:
        newest_first = [d.name for d in open_store().datasets()]
    except WorkspaceError:
        return False
    if not newest_first:
        return False
    wanted = st.query_params.get(URL_KEY)
    if wanted == "sample":
        return False
    name = wanted if wanted in newest_first else newest_first[0]
    return show(name)


def picker() -> None:
    """Sidebar picker of the saved datasets (and the sample); keeps `?dataset=` in the URL in step."""
    if not enabled():
        return
    tr = state.tr()
    try:
        saved = names()
    except WorkspaceError as exc:
        st.sidebar.warning(md(exc.message(tr)))
        return
    shown = current()
    source = state.data_source()
    options = [SAMPLE, *saved]
    labels = {SAMPLE: tr("Sample data")}
    if source == "upload":
        options.insert(0, "\x00upload")
        labels["\x00upload"] = tr("Unsaved upload")
        selected = "\x00upload"
    elif source == "connection":
        options.insert(0, "\x00connection")
        labels["\x00connection"] = state.source_label()
        selected = "\x00connection"
    elif shown is not None and shown[0] in saved:
        selected = shown[0]
    else:
        selected = SAMPLE
    if len(options) > 1:
        st.session_state["dataset_picker"] = selected
        st.sidebar.selectbox(tr("Dataset"), options, format_func=lambda o: labels.get(o, o), key="dataset_picker",
                             on_change=_picked)
    elif source == "sample":
        st.sidebar.caption(tr("Showing the built-in sample data: nothing is saved in the workspace yet."))
    write_url()


def _picked() -> None:
    choice = st.session_state.get("dataset_picker")
    if choice == SAMPLE:
        forget()
        state.set_dataset(state.shared_sample(), source="sample")
    elif choice and not choice.startswith("\x00"):
        show(choice)


def write_url() -> None:
    """`?dataset=NAME` while a saved dataset is shown, `?dataset=sample` on the sample when the workspace has data."""
    shown = current()
    wanted = shown[0] if shown is not None and state.data_source() == "workspace" else None
    if wanted is None and state.data_source() == "sample" and URL_KEY in st.query_params:
        wanted = "sample"
    if wanted is None:
        if URL_KEY in st.query_params:
            del st.query_params[URL_KEY]
    elif st.query_params.get(URL_KEY) != wanted:
        st.query_params[URL_KEY] = wanted


def save(name: str, data: Dataset, mode: str, sources: Mapping[str, object] | None, user: str | None) -> bool:
    """Save the session's data as a version of `name`, with named steps while it runs."""
    tr = state.tr()
    steps = {"subscriptions": tr("Writing subscriptions"), "customers": tr("Writing customers"),
             "events": tr("Writing usage events"), "surveys": tr("Writing survey answers"),
             "churn_reasons": tr("Writing churn reasons"),
             "commit": tr("Saving the version")}
    with st.status(tr("Saving to the workspace…"), expanded=False) as status:
        progress: Callable[[str], None] = lambda step: status.update(label=steps.get(step, step))  # noqa: E731
        try:
            result = open_store().save(name, data, mode=mode, sources=sources, user=user, progress=progress)
        except WorkspaceError as exc:
            status.update(label=tr("Not saved"), state="error")
            st.error(md(exc.message(tr)))
            return False
        info = result.version
        if result.unchanged:
            status.update(label=tr("Nothing new: version {version} of {name} stays current",
                                   version=info.version, name=md(info.dataset)), state="complete")
        else:
            status.update(label=tr("Saved as version {version} of {name}", version=info.version, name=md(info.dataset)),
                          state="complete")
    if not result.unchanged or current() != (info.dataset, info.version):
        show(info.dataset, info.version)
    return True


def rollback(name: str, version: int, user: str | None) -> bool:
    tr = state.tr()
    try:
        info = open_store().rollback(name, version, user=user)
    except WorkspaceError as exc:
        st.error(md(exc.message(tr)))
        return False
    show(info.dataset, info.version)
    return True


NAMES_TTL_SECONDS = 10.0


def names() -> list[str]:
    """Saved dataset names, read at most every few seconds per session (the picker runs on every click)."""
    import time

    cached = st.session_state.get("_workspace_names")
    if cached is not None and time.monotonic() - cached[0] < NAMES_TTL_SECONDS:
        return cached[1]
    found = sorted(d.name for d in open_store().datasets())
    st.session_state["_workspace_names"] = (time.monotonic(), found)
    return found


def _names_changed() -> None:
    st.session_state.pop("_workspace_names", None)


def remember_sources(files: Mapping[str, object]) -> None:
    """Keep name, size and sha256 of the files just loaded (not their bytes) for the version to record."""
    from retention.workspace import SourceFile

    st.session_state["upload_sources"] = {kind: SourceFile.of(f.name, f.getvalue()) for kind, f in files.items() if f is not None}


def _default_name() -> str:
    sources = st.session_state.get("upload_sources", {})
    subs = sources.get("subscriptions")
    stem = subs.name.rsplit(".", 1)[0] if subs is not None else ""
    return stem.replace("_", " ").strip()[:60] or "my-company"


def save_panel(user: str | None) -> None:
    """Data page: save the unsaved upload as a new dataset or as a new version of a saved one."""
    tr = state.tr()
    with st.container(border=True):
        st.subheader(tr("Save to the workspace"))
        st.caption(tr("Saved data stays after a reload and is there for everyone with access, version by version. "
                      "Each save records the files (with their sha256), how they were read and the rows used and rejected."))
        existing = names()
        choices = {"new": tr("As a new dataset"), "version": tr("As a new version of a saved dataset")}
        target = st.radio(tr("Save"), list(choices), format_func=choices.get, horizontal=True, key="save_target",
                          disabled=not existing, index=0, label_visibility="collapsed")
        mode = "replace"
        if target == "version" and existing:
            shown = current()
            default = existing.index(shown[0]) if shown and shown[0] in existing else 0
            name = st.selectbox(tr("Dataset"), existing, index=default, key="save_dataset")
            modes = {"replace": tr("Replace: the new version holds exactly these files"),
                     "append": tr("Append a newer export: new rows added, changed rows updated, identical rows not doubled")}
            mode = st.radio(tr("How"), list(modes), format_func=modes.get, key="save_mode")
        else:
            name = st.text_input(tr("Name of the dataset"), value=_default_name(), max_chars=80, key="save_name")
            if name.strip() in existing:
                st.warning(tr("A dataset with this name exists: saving adds a new version of it (replace)."))
        if st.button(tr("Save"), type="primary", key="save_to_workspace"):
            sources = st.session_state.get("upload_sources")
            if save(name, state.dataset(), mode, sources, user):
                _names_changed()
                st.rerun()


def versions_panel(can_edit: bool, user: str | None) -> None:
    """Data page: the versions of the dataset shown, with rollback for editors."""
    import pandas as pd

    shown = current()
    if shown is None:
        return
    tr = state.tr()
    try:
        versions = open_store().versions(shown[0])
    except WorkspaceError as exc:
        st.error(md(exc.message(tr)))
        return
    actions = {"replace": tr("replaced"), "append": tr("appended"), "rollback": tr("rolled back")}
    st.subheader(tr("Versions of {name}", name=md(shown[0])))
    rows = [{
        tr("Version"): v.version,
        tr("Current"): "✓" if v.current else "",
        tr("Saved (UTC)"): v.created_at.strftime("%Y-%m-%d %H:%M"),
        tr("By"): v.created_by,
        tr("What"): actions.get(v.action, v.action) + (f" → {v.based_on}" if v.action == "rollback" else ""),
        tr("Files"): ", ".join(v.files),
        tr("Rows read"): v.rows_read,
        tr("Rows used"): v.rows_used,
        tr("Rows rejected"): v.rows_rejected,
    } for v in versions]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="versions_table")
    if shown[1] != next(v.version for v in versions if v.current):
        st.info(tr("You are looking at version {version}; a newer version is current.", version=shown[1]))
    if not can_edit:
        return
    older = [v.version for v in versions if not v.current]
    if older:
        left, right = st.columns([1, 3])
        target = left.selectbox(tr("Roll back to version"), older, key="rollback_version")
        right.caption(tr("A rollback adds a new version with the data of the chosen one; nothing is deleted, "
                         "so it can be undone the same way."))
        if right.button(tr("Roll back"), key="rollback_button") and rollback(shown[0], int(target), user):
            st.rerun()
    delete_panel(shown[0], len(versions))


def delete_panel(name: str, versions: int) -> None:
    """Data page, editors only: delete the dataset shown, after an explicit confirmation.

    The first click only asks; the second, on a button that names the dataset, deletes every version.
    The role is checked again when the deletion runs, not only when the button is drawn."""
    from ui import access

    tr = state.tr()
    asking = st.session_state.get("delete_asked") == name
    if not asking:
        if st.button(tr("Delete dataset…"), key="delete_dataset"):
            st.session_state["delete_asked"] = name
            st.rerun()
        return
    with st.container(border=True):
        st.warning(tr.plural("Delete {name} with its only version? Everyone with access loses it, and it cannot be "
                             "undone. Export it first (python -m retention workspace export) if you may need it again.",
                             "Delete {name} with all its {n} versions? Everyone with access loses it, and it cannot be "
                             "undone. Export it first (python -m retention workspace export) if you may need it again.",
                             versions, name=md(name)))
        left, right = st.columns([1, 3])
        confirmed = left.button(tr("Yes, delete {name}", name=md(name)), type="primary", key="delete_confirm")
        if right.button(tr("Cancel"), key="delete_cancel"):
            st.session_state.pop("delete_asked", None)
            st.rerun()
    if not confirmed:
        return
    st.session_state.pop("delete_asked", None)
    if not access.can_edit():
        st.error(tr("Only editors can delete datasets."))
        return
    try:
        gone = open_store().delete(name)
    except WorkspaceError as exc:
        st.error(md(exc.message(tr)))
        return
    forget()
    _names_changed()
    st.session_state["workspace_notice"] = tr.plural("Deleted {name} and its only version.", "Deleted {name} and its {n} versions.",
                                                     gone, name=md(name))
    if not open_initial():
        state.set_dataset(state.shared_sample(), source="sample")
    st.rerun()


def notice() -> None:
    """A message left by the previous run (a deletion), shown once."""
    message = st.session_state.pop("workspace_notice", None)
    if message:
        st.success(message)
