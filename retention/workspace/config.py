"""Where the workspace lives and how the server guards it: one setting each, from the environment
or from Streamlit's `secrets.toml`.

    RETENTION_WORKSPACE=/srv/retention/workspace     # or [workspace] path = "…" in secrets.toml
    RETENTION_MODE=team                              # or [access] mode = "team"

The environment wins over the file, so a cron job or a test can point elsewhere without editing
it.  `secrets.toml` is read where Streamlit reads it: `.streamlit/secrets.toml` in the current
folder, then `~/.streamlit/secrets.toml`.  Relative paths are relative to the current folder.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

ENV_WORKSPACE = "RETENTION_WORKSPACE"
ENV_MODE = "RETENTION_MODE"
DEFAULT_FOLDER = "workspace"
MODES = ("local", "team", "demo")


def secrets_files() -> list[Path]:
    return [Path.cwd() / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"]


def secrets() -> dict[str, Any]:
    """The first readable secrets.toml as a dict ({} when there is none)."""
    for path in secrets_files():
        if path.is_file():
            try:
                with path.open("rb") as handle:
                    return tomllib.load(handle)
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ValueError(f"{path}: cannot be read as TOML ({exc})") from exc
    return {}


def _setting(env: str, section: str, key: str) -> str | None:
    value = os.environ.get(env)
    if value:
        return value
    found = secrets().get(section, {})
    value = found.get(key) if isinstance(found, dict) else None
    return str(value) if value else None


def workspace_path() -> Path:
    """The configured workspace folder (default `./workspace`)."""
    return Path(_setting(ENV_WORKSPACE, "workspace", "path") or DEFAULT_FOLDER).expanduser()


def access_mode() -> str:
    """`local` (default), `team` or `demo`; anything else is refused with the allowed values."""
    mode = (_setting(ENV_MODE, "access", "mode") or "local").strip().lower()
    if mode not in MODES:
        raise ValueError(f"access mode {mode!r} is not one of {', '.join(MODES)} (set {ENV_MODE} or [access] mode)")
    return mode
