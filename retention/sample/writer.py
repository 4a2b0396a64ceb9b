"""Writing a generated company as the CSV files the app reads, plus a README about them.

Column names are the canonical ones of METRICS.md §1, so the files load with no column
mapping.  Output is byte-for-byte reproducible: fixed column order, ISO dates, `\\n` line ends.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from retention.sample.events import DEFAULT_EVENT_MONTHS
from retention.sample.generate import SampleData, default_event_rows
from retention.sample.timeline import DEFAULT_END_MONTH, Timeline

FILES = ("customers.csv", "subscriptions.csv", "events.csv", "surveys.csv", "churn_reasons.csv")


def _date_text(values: pd.Series) -> np.ndarray:
    text = np.datetime_as_string(values.to_numpy().astype("datetime64[D]"), unit="D")
    return np.where(values.isna().to_numpy(), "", text).astype(object)


def _timestamp_text(values: pd.Series) -> np.ndarray:
    """ISO 8601 in UTC with a Z, to the second: 2026-10-31T14:03:27Z."""
    seconds = values.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[s]")
    return np.datetime_as_string(seconds, unit="s", timezone="UTC").astype(object)


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text, dates as ISO days and timestamps as UTC ISO 8601."""
    out = {}
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            out[column] = _timestamp_text(series)
        elif pd.api.types.is_datetime64_any_dtype(series):
            out[column] = _date_text(series)
        else:
            out[column] = series.to_numpy()
    return pd.DataFrame(out, columns=frame.columns)


def _command(data: SampleData, folder: str) -> str:
    s = data.settings
    cli = (s.end_month == DEFAULT_END_MONTH and s.event_months == DEFAULT_EVENT_MONTHS
           and s.event_rows == default_event_rows(s.customers))
    if cli:
        return f".venv/bin/python -m retention sample --customers {s.customers} --months {s.months} --seed {s.seed} --out {folder}"
    return (
        f'.venv/bin/python -c "from pathlib import Path; from retention.sample import generate, write_sample; '
        f"write_sample(generate({s.customers}, {s.months}, {s.seed}, end_month='{s.end_month}', "
        f"event_rows={s.event_rows}, event_months={s.event_months}), Path('{folder}'))\""
    )


def _reasons_text(data: SampleData) -> str:
    reasons = data.churn_reasons
    if reasons is None:
        return ""
    return f"""
`churn_reasons.csv`, {len(reasons)} rows, a cancellation export: `customer_id`, `date` (when the
cancellation was asked for, up to three weeks before the subscription ended), `reason`, `comment`
(often empty), `refund` (USD, part of a yearly term). About one churned customer in six left no
record; `payment failed` is involuntary churn; the bad month brings `price increase`.
"""


def readme(data: SampleData, folder: str) -> str:
    """What the folder holds and the exact command that recreates it."""
    s = data.settings
    tl = Timeline(s.end_month, s.months)
    subs, events, surveys = data.subscriptions, data.events, data.surveys
    first_event = _timestamp_text(events["timestamp"].iloc[:1])[0][:10] if len(events) else "—"
    nps, csat = int((surveys["kind"] == "nps").sum()), int((surveys["kind"] == "csat").sum())
    return f"""# Sample data

A made-up B2B SaaS company: {s.customers} customers signing up over {s.months} months,
from {tl.first_day} to {tl.last_day}. Nothing here is real. Generated with:

```bash
{_command(data, folder)}
```

The generator (`retention/sample/`) is deterministic: the same command writes these files byte
for byte, on any day. The data ends on {tl.last_day}, the latest start or end date in
`subscriptions.csv`, so that is the data's default as-of date.

## Files

`customers.csv`, {len(data.customers)} rows, one per customer:
`customer_id`, `customer_name`, `signup_date` (first day of the trial or of the subscription),
`plan` (the plan they signed up on: Starter, Growth, Pro or Enterprise), `country`, `industry`,
`size` (employees: 1-10 … 1000+), `channel` (how they found the product).

`subscriptions.csv`, {len(subs)} rows, one per subscription span:
`subscription_id`, `customer_id`, `plan`, `start_date`, `end_date` (exclusive: the first day it
no longer runs; empty = still running), `amount` (USD per seat per `interval`), `interval`
(`month` or `year`; a year costs ten months), `quantity` (seats), `currency`, `status`
(`active`, `canceled` or `trialing`, as Stripe says), `trial_end` (the trial earns no MRR).

`events.csv`, {len(events)} rows of product usage from {first_event}, when analytics were
switched on: `timestamp` (UTC, ISO 8601 with `Z`), `user_id`, `customer_id`, `event`
(`login`, `report_viewed`, `export`, `dashboard_created`, `invite_sent`, …).

`surveys.csv`, {len(surveys)} rows: `customer_id`, `date`, `score`, `kind` ({nps} quarterly
`nps` answers from 0 to 10 and {csat} `csat` ratings from 1 to 5 of support tickets),
`comment` (often empty).
{_reasons_text(data)}
What is in it, so every page of the app has something to show:

- New signups grow about 1 % a month, with clearly quieter Julys, Augusts and Decembers.
- The numbers read like a real B2B SaaS company: a quick ratio around 3, annual NRR just under
  100 %, monthly logo churn around 3.5 %. Eight months before the end there is one bad month
  (a price rise): churn and downgrades jump for that month.
- Starter, Growth and Pro customers mostly start with a 14-day trial (no revenue until
  `trial_end`); about a fifth of trials never convert. Trials still running on {tl.last_day}
  have status `trialing` and a `trial_end` after that day.
- A plan or seat change ends one span and starts the next on the same day: upgrades and
  extra seats are expansion; downgrades, fewer seats and the switch to (cheaper) yearly
  billing are contraction. Some customers add a second subscription, the Analytics add-on;
  dropping it is contraction, not churn.
- Churn depends on the plan (Starter churns most, Enterprise least), on tenure (the first
  months are riskiest) and on billing (yearly customers can only leave at renewal). About
  a fifth of churned customers come back months later (reactivation).
- One hidden health score per customer and month drives churn, usage and survey scores:
  detractors churn more than promoters in the three months after answering, and usage
  fades over the eight weeks before a customer leaves.
- Every customer has at least one tracked user and bigger customers more, in proportion
  to their seats. About half of the invited users stop after their first week; the admin
  who signed up mostly stays.
"""


def write_sample(data: SampleData, out: Path) -> list[Path]:
    """Write the five CSVs and README.md into folder `out` (created if needed); returns the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    frames = (data.customers, data.subscriptions, data.events, data.surveys, data.churn_reasons)
    paths = []
    for name, frame in zip(FILES, frames, strict=True):
        if frame is None:
            continue
        path = out / name
        _text_frame(frame).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        paths.append(path)
    path = out / "README.md"
    path.write_text(readme(data, out.resolve().name or "sample_data"), encoding="utf-8", newline="\n")
    paths.append(path)
    return paths
