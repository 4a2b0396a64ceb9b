"""Why an account is at risk, in words: the at-risk table made readable in the reader's language.

The engine (`retention.engine.at_risk`) returns flags and numbers; this is where they become a
sentence, so the page, its CSV/Excel download and the digest all say it in the chosen language.
"""

from __future__ import annotations

import pandas as pd

from retention.engine.engagement import day_number, day_to_date
from retention.i18n import ENGLISH, Translator


def reasons(frame: pd.DataFrame, tr: Translator = ENGLISH) -> list[str]:
    """One sentence per signal, per listed account (a loop over the short output list, not over events)."""
    out = []
    for falling, change, detractor, score, when in zip(
        frame["usage_falling"], frame["usage_change"], frame["detractor"], frame["last_nps"], frame["last_nps_date"], strict=True
    ):
        parts = []
        if falling:
            parts.append(tr("usage down {pct} % (last 4 weeks against the 8 weeks before)", pct=f"{-change:.0f}"))
        if detractor:
            day = str(day_to_date(day_number(when)))
            parts.append(tr("NPS detractor (scored {score} on {date})", score=str(int(score)), date=day))
        out.append("; ".join(parts))
    return out


def with_reasons(frame: pd.DataFrame, tr: Translator = ENGLISH) -> pd.DataFrame:
    """The at-risk table with a `reasons` column in `tr`'s language."""
    return frame.assign(reasons=reasons(frame, tr) if len(frame) else pd.Series(dtype=str))
