"""Where the SMTP server and its credentials come from: the environment, else `secrets.toml`.

    RETENTION_SMTP_HOST, RETENTION_SMTP_PORT (587), RETENTION_SMTP_USER, RETENTION_SMTP_PASSWORD,
    RETENTION_SMTP_FROM, RETENTION_SMTP_STARTTLS (true), RETENTION_SMTP_CA_FILE (a CA bundle to trust
    instead of the system's, e.g. a company relay's own CA)

or the same keys in lower case under `[smtp]` in `.streamlit/secrets.toml`.  The password is never
printed, logged or put in a message: `SmtpSettings.__repr__` hides it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from retention.workspace.config import secrets

_KEYS = ("host", "port", "user", "password", "from", "starttls", "ca_file")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""
    starttls: bool = True
    ca_file: str = ""

    def __repr__(self) -> str:  # never shows the password
        return f"SmtpSettings(host={self.host!r}, port={self.port}, user={self.user!r}, starttls={self.starttls})"


def _truthy(text: str) -> bool:
    return str(text).strip().lower() not in ("0", "false", "no", "off", "")


def smtp_settings() -> SmtpSettings | None:
    """The configured SMTP server, or None when no host is set anywhere."""
    found: dict[str, object] = {k: v for k, v in (secrets().get("smtp") or {}).items() if k in _KEYS}
    for key in _KEYS:
        value = os.environ.get(f"RETENTION_SMTP_{key.upper()}")
        if value is not None:
            found[key] = value
    if not found.get("host"):
        return None
    try:
        port = int(found.get("port", 587))
    except (TypeError, ValueError) as exc:
        raise ValueError("the SMTP port must be a number (RETENTION_SMTP_PORT or port under [smtp])") from exc
    return SmtpSettings(
        host=str(found["host"]), port=port, user=str(found.get("user", "")), password=str(found.get("password", "")),
        sender=str(found.get("from", "") or found.get("user", "")), starttls=_truthy(str(found.get("starttls", "true"))),
        ca_file=str(found.get("ca_file", "")),
    )
