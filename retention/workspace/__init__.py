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

from retention.workspace.config import access_mode, workspace_path
from retention.workspace.errors import WorkspaceBusy, WorkspaceError
from retention.workspace.store import (
    KINDS,
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

__all__ = [
    "KINDS", "DatasetInfo", "PartInfo", "SaveResult", "SourceFile", "VersionInfo", "Workspace", "WorkspaceBusy",
    "WorkspaceError", "access_mode", "open_workspace", "validate_name", "version_dict", "workspace_path",
]
