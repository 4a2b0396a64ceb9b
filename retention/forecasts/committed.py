"""Committed MRR: what the data already says about the months ahead.

Subscriptions carry changes that have not happened yet at the last complete month: an
`end_date` in the future (a cancellation that takes effect at the end of the paid period), a
`start_date` or `trial_end` in the future (a signed deal, a scheduled upgrade, a trial that
converts).  Applying the snapshot rule of METRICS.md §2 to the month-ends ahead, with nothing
else changing, gives committed MRR; the same customer-level rules as §4 sort its changes into
new, expansion, reactivation, contraction and churn.  A subscription with no end date is assumed
to keep running: that is why committed MRR is shown apart from the forecast, never mixed in.

Subscriptions whose status says they will not renew (`non_renewing`, `cancel_at_period_end`…)
but carry no end date cannot be placed in a month; their MRR is reported as at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention.engine.snapshots import MICRO, SnapshotModel

NOT_RENEWING = frozenset({"non_renewing", "non-renewing", "nonrenewing", "cancel_at_period_end", "pending_cancel",
                          "cancelling", "canceling"})


@dataclass(frozen=True)
class Committed:
    frame: pd.DataFrame  # period, mrr_end, mrr_new, mrr_expansion, mrr_reactivation, mrr_contraction, mrr_churned
    at_risk_mrr: float  # MRR of subscriptions marked as not renewing without an end date
    at_risk_subscriptions: int

    @property
    def has_changes(self) -> bool:
        movements = self.frame.drop(columns=["period", "mrr_end"], errors="ignore")
        return bool(len(self.frame)) and bool((movements.to_numpy() > 0).any())


def committed_mrr(
    model: SnapshotModel, subscriptions: pd.DataFrame | None = None, months: int = 12, rows: np.ndarray | None = None,
    *, last: pd.Period | None = None, base_mrr: float | None = None,
) -> Committed:
    """Committed MRR at each of the next `months` month-ends after the model's last complete month.

    `rows`: the model rows of a segment (None = every customer).  A warehouse engine keeps its rows in
    the database and sends only the subscriptions that matter here (`Engine.scheduled_subscriptions`):
    then the model holds just those customers, `last` is the last complete month of the as-of date and
    `base_mrr` the whole segment's MRR at its end (the engine's own number).
    """
    if last is None:
        if len(model.months) == 0:
            return Committed(pd.DataFrame(), 0.0, 0)
        last = model.months[-1]
    future = pd.period_range(last + 1, periods=months, freq="M")
    snaps = np.array([p.end_time.normalize().to_datetime64() for p in [last, *future]], dtype="datetime64[ns]")
    spans = model.spans
    start = spans["start"].to_numpy(dtype="datetime64[ns]")
    end = spans["end"].to_numpy(dtype="datetime64[ns]")
    micro = spans["mrr_micro"].to_numpy(dtype=np.int64)
    code = spans["code"].to_numpy()
    members = np.ones(len(model.customer_ids), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    first, final = snaps[0], snaps[-1]
    changing = members[code] & (((start > first) & (start <= final)) | (~np.isnat(end) & (end > first) & (end <= final)))
    affected = np.unique(code[changing])
    rows = np.isin(code, affected)
    position = np.searchsorted(affected, code[rows])
    cells = np.zeros((len(affected), len(snaps)), dtype=np.int64)
    for j, day in enumerate(snaps):  # a few dozen month-ends: one vectorised pass each
        live = (start[rows] <= day) & (np.isnat(end[rows]) | (end[rows] > day))
        np.add.at(cells[:, j], position[live], micro[rows][live])
    # Whole-base MRR: everyone's MRR at the last snapshot, plus the affected customers' changes.
    base = float(model.mrr[members, -1].sum()) if model.mrr.size else 0.0
    base = float(round(base_mrr * MICRO)) if base_mrr is not None else base
    ever = model.mrr[affected].max(axis=1) > 0 if model.mrr.size else np.zeros(len(affected), dtype=bool)
    prev, cur = cells[:, :-1], cells[:, 1:]
    seen = np.logical_or.accumulate(np.column_stack([ever, cells[:, 1:-1] > 0]), axis=1) if len(snaps) > 2 \
        else ever[:, None]
    entering = (prev == 0) & (cur > 0)
    staying = (prev > 0) & (cur > 0)

    def total(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
        return np.where(mask, values, 0).sum(axis=0).astype(float) / MICRO

    frame = pd.DataFrame({
        "period": [f"{p.year:04d}-{p.month:02d}" for p in future],
        "mrr_new": total(entering & ~seen, cur),
        "mrr_expansion": total(staying & (cur > prev), cur - prev),
        "mrr_reactivation": total(entering & seen, cur),
        "mrr_contraction": total(staying & (cur < prev), prev - cur),
        "mrr_churned": total((prev > 0) & (cur == 0), prev),
    })
    frame["mrr_end"] = base / MICRO + (cells[:, 1:].sum(axis=0) - cells[:, 0].sum()) / MICRO
    frame = frame[["period", "mrr_end", "mrr_new", "mrr_expansion", "mrr_reactivation", "mrr_contraction", "mrr_churned"]]
    at_risk, n = _at_risk(subscriptions, first)
    return Committed(frame, at_risk, n)


def _at_risk(subscriptions: pd.DataFrame | None, day: np.datetime64) -> tuple[float, int]:
    if subscriptions is None or "status" not in subscriptions:
        return 0.0, 0
    status = subscriptions["status"].astype(str).str.strip().str.lower()
    open_ended = subscriptions["end_date"].isna()
    started = subscriptions["start_date"] <= pd.Timestamp(day)
    mask = status.isin(NOT_RENEWING) & open_ended & started & (subscriptions["mrr"] > 0)
    return float(subscriptions.loc[mask, "mrr"].sum()), int(mask.sum())
