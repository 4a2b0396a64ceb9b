"""Connections the operator names in `.streamlit/secrets.toml`, opened as a data set the app can show.

The operator writes, for each database the app may read:

    [retention.connections.billing]
    url = "postgres://reader:secret@db.internal:5432/billing"   # any URL `sources.connect` takes
    label = "Billing warehouse"                                  # what users see (default: the name)
    table = "subscriptions"                                      # or: preset = "stripe-sync"
    customers_table = "customers"                                # optional: attributes to segment by
    currency = "EUR"                                             # optional: reporting currency (default USD)
    [retention.connections.billing.map]                          # optional: CANONICAL = "SOURCE" column
    mrr = "monthly_amount"
    [retention.connections.billing.status]                       # optional: STATUS = count|trial|churn|exclude
    past_due = "exclude"

Users pick a connection by its label.  The URL, and the credentials in it, stay here: `NamedConnection`
never prints it (its repr leaves it out), and an error opening a connection names the connection and
the kind of failure, with every part of the URL (user, password, host, path, query) scrubbed from the
driver's words.  The metrics then run inside the database (`IbisEngine`); only per-period results come
back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from retention.importing.mapping import SUBSCRIPTION_FIELDS
from retention.importing.status import ACTIONS, StatusPolicy

KEYS = ("url", "label", "table", "customers_table", "preset", "currency", "map", "status")
PRESETS = ("stripe-sync",)


class NamedConnectionError(ValueError):
    """A named connection that cannot be configured or opened.

    `code` says what went wrong ("config", "open", "table"); `detail` is the driver's or reader's own
    words with every part of the URL removed.  Neither ever contains the URL or its credentials.
    """

    def __init__(self, connection: str, code: str, detail: str) -> None:
        super().__init__(f"connection {connection!r}: {detail}")
        self.connection = connection
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class NamedConnection:
    """One `[retention.connections.NAME]` block of the secrets.  `url` is never shown (not in repr)."""

    name: str
    url: str = field(repr=False)
    label: str = ""
    table: str | None = None
    customers_table: str | None = None
    preset: str | None = None
    currency: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    status: Mapping[str, str] = field(default_factory=dict)

    @property
    def shown_name(self) -> str:
        """What users see: the label, else the block's name."""
        return self.label or self.name

    @property
    def backend(self) -> str:
        """The URL's scheme (duckdb, postgres, pyspark…), safe to show: it carries no secret."""
        scheme = self.url.split("://", 1)[0].lower() if "://" in self.url else ""
        return "postgres" if scheme == "postgresql" else scheme


def named_connections(secrets: Mapping[str, object]) -> dict[str, NamedConnection]:
    """Every connection under `[retention.connections]` of a parsed secrets.toml, by name, in file order.

    A malformed block is a `NamedConnectionError` naming the block and the setting to fix (never its URL).
    """
    section = secrets.get("retention", {})
    blocks = section.get("connections", {}) if isinstance(section, Mapping) else {}
    if not isinstance(blocks, Mapping):
        raise NamedConnectionError("connections", "config", "[retention.connections] must hold one table per connection")
    found: dict[str, NamedConnection] = {}
    for name, block in blocks.items():
        found[str(name)] = _parse(str(name), block)
    return found


def _parse(name: str, block: object) -> NamedConnection:
    def fail(detail: str) -> NamedConnectionError:
        return NamedConnectionError(name, "config", detail)

    if not isinstance(block, Mapping):
        raise fail(f"[retention.connections.{name}] must be a table with url and table (or preset)")
    unknown = sorted(set(block) - set(KEYS))
    if unknown:
        raise fail(f"unknown setting {', '.join(unknown)}; settings are {', '.join(KEYS)}")
    url = block.get("url")
    if not isinstance(url, str) or "://" not in url:
        raise fail("needs url = \"SCHEME://…\" (duckdb:///path.duckdb, postgres://user@host:5432/db, pyspark://local)")
    preset = block.get("preset")
    if preset is not None and preset not in PRESETS:
        raise fail(f"preset must be one of {', '.join(PRESETS)}")
    if not block.get("table") and preset is None:
        raise fail("needs table = \"NAME\" (the subscriptions table) or preset = \"stripe-sync\"")
    mapping = {str(k): str(v) for k, v in dict(block.get("map", {}) or {}).items()}
    bad = sorted(set(mapping) - set(SUBSCRIPTION_FIELDS))
    if bad:
        raise fail(f"map: unknown field {', '.join(bad)}; fields are {', '.join(SUBSCRIPTION_FIELDS)}")
    status = {str(k).strip().lower(): str(v).strip().lower() for k, v in dict(block.get("status", {}) or {}).items()}
    wrong = sorted(s for s, a in status.items() if a not in ACTIONS)
    if wrong:
        raise fail(f"status: {', '.join(wrong)} must be one of {', '.join(ACTIONS)}")
    currency = block.get("currency")
    return NamedConnection(
        name=name, url=url, label=str(block.get("label") or ""), table=_text(block.get("table")),
        customers_table=_text(block.get("customers_table")), preset=preset,
        currency=str(currency).strip().upper() if currency else None, mapping=mapping, status=status,
    )


def _text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def scrub(message: str, url: str) -> str:
    """`message` with every part of `url` that could identify or unlock the database replaced by "…"."""
    parts = urlsplit(url)
    secrets = [url, parts.netloc, parts.password, parts.username, parts.hostname, parts.path.lstrip("/"), parts.query]
    secrets += [unquote(s) for s in secrets if s]
    secrets += [v for _, v in parse_qsl(parts.query)]
    if parts.path.strip("/"):
        secrets.append(parts.path.rstrip("/").rsplit("/", 1)[-1])  # a file's name alone, as drivers quote it
    for secret in sorted({s for s in secrets if s and len(s) >= 2}, key=len, reverse=True):
        message = message.replace(secret, "…")
    return message


def open_connection(connection: NamedConnection):
    """The `WarehouseDataset` of a named connection: its tables opened and checked, metrics still in the database.

    Raises `NamedConnectionError` ("open" when the database cannot be reached, "table" when its tables do not
    read as subscriptions) with the URL scrubbed from the message.
    """
    from retention.warehouse.canonical import SourceError, intake
    from retention.warehouse.dataset import WarehouseDataset
    from retention.warehouse.engine import IbisEngine
    from retention.warehouse.sources import connect

    try:
        con = connect(connection.url, read_only=True)
    except Exception as exc:  # noqa: BLE001 - every driver raises its own kinds; the user needs what, not a traceback
        raise NamedConnectionError(connection.shown_name, "open", scrub(f"{type(exc).__name__}: {exc}", connection.url)) from None
    try:
        got = intake(con, table=connection.table, customers_table=connection.customers_table, preset=connection.preset,
                     mapping=connection.mapping, policy=StatusPolicy().with_overrides(connection.status))
    except SourceError as exc:
        raise NamedConnectionError(connection.shown_name, "table", scrub(str(exc), connection.url)) from None
    except Exception as exc:  # noqa: BLE001
        raise NamedConnectionError(connection.shown_name, "open", scrub(f"{type(exc).__name__}: {exc}", connection.url)) from None
    return WarehouseDataset(connection.name, connection.shown_name, connection.backend,
                            connection.table or str(connection.preset), got, IbisEngine(got.subscriptions, got.customers),
                            connection.currency)
