"""The workspace store: every dataset a team imported, version by version, in one DuckDB file.

    from retention.workspace import open_workspace
    ws = open_workspace("workspace")            # a folder; created on the first save
    ws.import_files("acme", subscriptions="subs.csv", customers="customers.csv")
    ws.datasets()                               # [DatasetInfo(name="acme", current_version=1, …)]
    data = ws.load("acme")                      # the current version as a retention.Dataset
    ws.save("acme", data, mode="append")        # a Dataset from anywhere, as a new version
    ws.versions("acme"); ws.rollback("acme", 1); ws.export("acme", "out/"); ws.delete("acme")

Features that keep their own records in the workspace (alert rules, notes…) use
`with ws.write() as con:` (one transaction under the writer lock) and `with ws.read() as con:`
on their own tables, named with their own prefix (`ws_` belongs to the store).
"""

from typing import TYPE_CHECKING

from retention.workspace.config import access_mode, workspace_path
from retention.workspace.errors import WorkspaceBusy, WorkspaceError

KINDS = ("subscriptions", "customers", "events", "surveys", "churn_reasons")
"""The tables a dataset version can hold."""

if TYPE_CHECKING:
    from retention.workspace.store import (
        DatasetInfo,
        PartInfo,
        SaveResult,
        SourceFile,
        VersionInfo,
        Workspace,
        open_workspace,
        validate_name,
        version_dict,
    )

_STORE = {"DatasetInfo", "PartInfo", "SaveResult", "SourceFile", "VersionInfo", "Workspace", "open_workspace",
          "validate_name", "version_dict"}


def __getattr__(name: str):
    """The store (and DuckDB with it) is imported when first used: `python -m retention --help` stays quick."""
    if name in _STORE:
        from retention.workspace import store

        return getattr(store, name)
    raise AttributeError(f"module 'retention.workspace' has no attribute {name!r}")

__all__ = [
    "KINDS", "DatasetInfo", "PartInfo", "SaveResult", "SourceFile", "VersionInfo", "Workspace", "WorkspaceBusy",
    "WorkspaceError", "access_mode", "open_workspace", "validate_name", "version_dict", "workspace_path",
]
