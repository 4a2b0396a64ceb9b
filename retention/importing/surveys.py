"""Read survey answers (NPS and CSAT) into the canonical surveys table (METRICS.md §1 and §9).

A survey export often has no column saying which survey a score belongs to.  The kind is then
taken from the score column's name (`nps_score`, `csat`, `satisfaction_score`) and otherwise
from the range of the file's scores: any 0 or any score above 5 can only be NPS (0–10); a file
whose scores all lie in 1–5 is CSAT.  The decision is per file, because one 4 means nothing on
its own while a column of 1–5 answers does.  Scores outside their scale are rejected, never
clipped: a 12 on an NPS survey is a data problem the user should see.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from retention.i18n import N_
from retention.importing.events import RowRejects
from retention.importing.mapping import require, resolve_mapping
from retention.importing.parse import parse_dates, parse_numbers
from retention.importing.reader import read_table
from retention.importing.result import LoadResult

SURVEY_FIELDS = ("customer_id", "date", "score", "kind", "comment")
SURVEY_COLUMNS = ["customer_id", "date", "score", "kind", "comment"]
SURVEY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": (
        "customer", "customer id", "account_id", "account id", "account", "client_id", "company_id",
        "organization_id", "org_id",
    ),
    "date": (
        "response_date", "responded_at", "answered_at", "submitted_at", "created_at", "survey_date", "timestamp",
        "time", "created", "submitted",
    ),
    "score": (
        "nps_score", "nps", "csat_score", "csat", "satisfaction_score", "satisfaction", "rating", "response",
        "answer", "value",
    ),
    "kind": ("survey_type", "survey", "type", "question_type", "metric"),
    "comment": ("comments", "feedback", "feedback_text", "text", "verbatim", "reason", "open_text", "remarks"),
}
KIND_WORDS = {
    "nps": "nps", "net promoter": "nps", "net promoter score": "nps", "promoter": "nps",
    "csat": "csat", "satisfaction": "csat", "customer satisfaction": "csat", "sat": "csat",
}
SCALES = {"nps": (0, 10), "csat": (1, 5)}
_OUT_OF_SCALE = {
    "nps": N_("NPS scores are whole numbers from 0 to 10"),
    "csat": N_("CSAT scores are whole numbers from 1 to 5"),
}


def kind_from_column(column: str) -> str | None:
    """`nps_score` says NPS, `csat` or `satisfaction_score` says CSAT; anything else says nothing."""
    name = column.lower()
    if "nps" in name or "promoter" in name:
        return "nps"
    if "csat" in name or "satisf" in name:
        return "csat"
    return None


def infer_kind(scores: pd.Series, column: str = "") -> str:
    """The survey kind of a file without a kind column (see the module docstring)."""
    named = kind_from_column(column)
    if named:
        return named
    known = scores.dropna()
    if known.empty:
        return "nps"
    return "csat" if bool(((known >= 1) & (known <= 5)).all()) else "nps"


def surveys_from_frame(raw: pd.DataFrame, file: str, mapping: Mapping[str, str] | None = None) -> LoadResult:
    """Canonical surveys from a text table whose index is the spreadsheet row number."""
    columns = list(raw.columns)
    resolved = resolve_mapping(columns, SURVEY_FIELDS, file, mapping, synonyms=SURVEY_SYNONYMS)
    for needed in ("customer_id", "date", "score"):
        require(resolved, needed, file, columns)
    rj = RowRejects(file, raw, resolved)

    customer = raw[resolved["customer_id"]]
    rj.reject(customer.eq(""), "customer_id", N_("missing customer id"))
    dates, bad_date = parse_dates(raw[resolved["date"]])
    rj.reject(bad_date, "date", N_("not a date"))
    rj.reject(dates.isna(), "date", N_("missing date"))
    scores, bad_score = parse_numbers(raw[resolved["score"]])
    rj.reject(bad_score, "score", N_("not a number"))
    rj.reject(scores.isna(), "score", N_("missing score"))

    file_kind = infer_kind(scores[rj.alive], resolved["score"])
    if "kind" in resolved:
        words = raw[resolved["kind"]].str.lower().str.strip()
        kind = words.map(KIND_WORDS)
        rj.reject(kind.isna() & words.ne(""), "kind", N_("unknown survey kind (use nps or csat)"))
        kind = kind.fillna(file_kind)
    else:
        kind = pd.Series(file_kind, index=raw.index)
    whole = np.isclose(scores, np.round(scores)) | scores.isna()
    for name, (low, high) in SCALES.items():
        of_kind = kind.eq(name).to_numpy()
        outside = of_kind & ((scores < low) | (scores > high) | ~whole).to_numpy()
        rj.reject(outside, "score", _OUT_OF_SCALE[name])

    keep = rj.alive
    comment = raw[resolved["comment"]] if "comment" in resolved else pd.Series("", index=raw.index)
    table = pd.DataFrame(
        {
            "customer_id": customer[keep].astype(str),
            "date": dates[keep],
            "score": scores[keep].astype(np.int64),
            "kind": pd.Categorical(kind[keep], categories=list(SCALES)),
            "comment": comment[keep].astype(str),
        },
        columns=SURVEY_COLUMNS,
    )
    table.index.name = "row"
    return LoadResult(N_("surveys"), file, table, rj.rejects(), len(raw), resolved,
                      notes=tuple(raw.attrs.get("notes", ())))


def load_surveys(data: bytes, file: str, mapping: Mapping[str, str] | None = None) -> LoadResult:
    """Read NPS/CSAT answers from CSV bytes into `customer_id`, `date`, `score`, `kind`, `comment`."""
    return surveys_from_frame(read_table(data, file), file, mapping)
