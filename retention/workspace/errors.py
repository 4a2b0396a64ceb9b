"""Errors of the workspace store: English templates translated where they are shown."""

from __future__ import annotations

from retention.i18n import ENGLISH, Translator


class WorkspaceError(Exception):
    """A workspace operation that was refused (unknown dataset, bad name, nothing to import…).

    The previous state of the workspace is always kept when one is raised.
    """

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(self.message())

    def message(self, tr: Translator = ENGLISH) -> str:
        return tr(self.template, **self.params)


class WorkspaceBusy(WorkspaceError):
    """Another process held the workspace's lock for longer than the caller was willing to wait."""
