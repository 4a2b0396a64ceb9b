"""What was decided while reading a file, as data: for the CLI's stderr and JSON, and the Data page.

Every import makes choices on the user's behalf (format preset, which column feeds which field,
open ends read from placeholder dates, payment cadences).  A user who cannot see them cannot
trust the numbers, so each `LoadResult` is summarised the same way everywhere.
"""

from __future__ import annotations

from typing import Any

from retention.importing.presets import BY_KEY
from retention.importing.result import LoadResult


def preset_name(result: LoadResult) -> str:
    """English display name of the format preset ("Generic columns" when none was detected)."""
    preset = BY_KEY.get(result.preset or "generic")
    return preset.name if preset is not None else result.preset


def describe(result: LoadResult) -> dict[str, Any]:
    """One file's reading decisions and row accounting as plain JSON-ready values."""
    summary: dict[str, Any] = {
        "file": result.file,
        "table": result.kind,
        "preset": result.preset or "generic",
        "preset_name": preset_name(result),
        "mapping": dict(result.mapping),
        "rows_read": result.rows_read,
        "rows_used": result.rows_used,
        "rows_rejected": result.rows_rejected,
    }
    if result.open_end_sentinels:
        summary["open_end_sentinels"] = dict(result.open_end_sentinels)
    if result.currency:
        summary["currency"] = result.currency
    if result.rates:
        summary["rates"] = dict(result.rates)
    if result.rates_source:
        summary["rates_source"] = result.rates_source
    if result.rows_after_last_rate:
        summary["rows_after_last_rate"] = result.rows_after_last_rate
    extra = getattr(result, "summary_extra", None)
    if callable(extra):
        summary.update(extra())
    return summary


def text_lines(result: LoadResult) -> list[str]:
    """English lines for a terminal: format and rows, mapping, and anything read on the user's behalf."""
    info = describe(result)
    lines = [
        f"{result.file}: {info['preset_name']}; {result.rows_read} rows read, {result.rows_used} used, "
        f"{result.rows_rejected} rejected",
        f"{result.file}: columns " + ", ".join(f"{field}={column}" for field, column in result.mapping.items()),
    ]
    if result.open_end_sentinels:
        values = ", ".join(f"{value} ({count})" for value, count in list(result.open_end_sentinels.items())[:4])
        total = sum(result.open_end_sentinels.values())
        lines.append(f"{result.file}: {total} end dates far in the future read as still running: {values}")
    if result.rates:
        source = f" ({result.rates_source})" if result.rates_source else ""
        lines.append(f"{result.file}: converted to {result.currency}{source}; mean rates "
                     + ", ".join(f"{c} {r:g}" for c, r in result.rates.items()))
    if result.rows_after_last_rate:
        lines.append(f"{result.file}: {result.rows_after_last_rate} rows dated after the last bundled ECB rate were "
                     "converted at that last rate")
    extra = getattr(result, "summary_lines", None)
    if callable(extra):
        lines.extend(f"{result.file}: {line}" for line in extra())
    return lines
