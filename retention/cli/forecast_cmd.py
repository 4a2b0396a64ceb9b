"""`python -m retention forecast`: projected retention and LTV per cohort, backtest, MRR forecast.

JSON prints `cohorts` (per cohort: `cohort`, `size`, `alpha`, `beta`, `observed` survival % by age
from age 0, `projected` as `{"age", "survival", "low", "high"}` from the cohort's last observed age
to the horizon, `ltv` per customer or null with `ltv_reason`), `mrr` (the monthly MRR forecast
rows), and beside them the pooled fit, the LTV of a new customer, the simple ARPA ÷ churn LTV,
the backtest, the forecast's assumptions and committed MRR.  CSV prints one line per cohort and
age (observed, then projected); the table format prints the cohort summary and the MRR forecast.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from retention.cli.common import (
    CommandError,
    add_data_arguments,
    check_segment,
    emit,
    import_files,
    load_from_args,
    parse_segment,
    query_from_args,
    source_engine,
)
from retention.forecasts.mrr import MODES


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("forecast", help="projected retention and LTV per cohort, backtest, MRR forecast")
    add_data_arguments(parser)
    parser.add_argument("--period", choices=["month", "quarter", "year"], default="month",
                        help="cohort period (default month); the MRR forecast is always monthly")
    parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="data as of this day (default: latest date in the data)")
    parser.add_argument("--horizon", type=int, default=12, metavar="N", help="project survival to age N periods (default 12)")
    parser.add_argument("--cohort", metavar="LABEL", help="only this cohort, e.g. 2024-01 (all cohorts still inform the pooled fit)")
    parser.add_argument("--segment", metavar="COLUMN=VALUE", help="only customers whose attribute COLUMN is VALUE")
    parser.add_argument("--months", type=int, default=12, metavar="M", help="months of MRR forecast, 3 to 24 (default 12)")
    parser.add_argument("--window", type=int, default=3, metavar="W", help="trailing months averaged (default 3)")
    parser.add_argument("--mode", choices=list(MODES), default="linear", help="linear amounts or compounding rates")
    parser.add_argument("--churn-change", dest="churn_change", type=float, default=0.0, metavar="POINTS",
                        help="scenario: change the monthly MRR churn rate by POINTS, e.g. -1")
    parser.add_argument("--new-change", dest="new_change", type=float, default=0.0, metavar="PERCENT",
                        help="scenario: change new MRR by PERCENT, e.g. 10")
    parser.add_argument("--expansion-change", dest="expansion_change", type=float, default=0.0, metavar="PERCENT",
                        help="scenario: change expansion MRR by PERCENT")
    parser.add_argument("--gross-margin", dest="gross_margin", type=float, default=100.0, metavar="PERCENT",
                        help="gross margin for LTV (default 100)")
    parser.add_argument("--discount", type=float, default=0.0, metavar="PERCENT", help="yearly discount rate for LTV (default 0)")
    parser.add_argument("--bootstrap", type=int, default=200, metavar="B", help="bootstrap replicates for the bands (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the bootstrap (default 0)")
    parser.add_argument("--format", choices=["json", "csv", "table"], default="json",
                        help="json (default), csv (one line per cohort and age) or table")
    parser.set_defaults(run=run)


def _check(args: argparse.Namespace) -> None:
    if not 1 <= args.horizon <= 240:
        raise CommandError(f"--horizon must be between 1 and 240 periods, got {args.horizon}")
    if not 3 <= args.months <= 24:
        raise CommandError(f"--months must be between 3 and 24, got {args.months}")
    if not 1 <= args.window <= 24:
        raise CommandError(f"--window must be between 1 and 24 months, got {args.window}")
    if not 0 < args.gross_margin <= 100:
        raise CommandError(f"--gross-margin must be above 0 and at most 100, got {args.gross_margin:g}")
    if not 0 <= args.discount < 100:
        raise CommandError(f"--discount must be between 0 and 100, got {args.discount:g}")
    if not 0 <= args.bootstrap <= 5000:
        raise CommandError(f"--bootstrap must be between 0 and 5000, got {args.bootstrap}")


def _step(args: argparse.Namespace, text: str) -> None:
    """A progress line on a terminal; quiet when piped or with --format json."""
    if args.format != "json" and sys.stderr.isatty():
        print(f"… {text}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from retention.forecasts.bundle import bundle_json, cohort_summary, cohorts_long, forecast_all
    from retention.forecasts.inputs import forecast_inputs
    from retention.forecasts.mrr import Scenario
    from retention.forecasts.projection import LtvSettings  # SciPy only when the command runs

    _check(args)
    segment = parse_segment(args.segment)
    args.start = args.end = None  # a forecast learns from every cohort: no window
    query = query_from_args(args, segment)
    subscriptions = None  # with --source they stay in the database (only scheduled ones come back)
    if args.source:
        engine = source_engine(args, segment)
    else:
        data = load_from_args(args)
        check_segment(data, segment)
        engine, subscriptions = data.engine(), data.subscriptions.table
    _step(args, "reading cohorts and metrics")
    try:
        inputs = forecast_inputs(engine, subscriptions, query)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    labels = [r.label for r in inputs.customers.rows]
    if args.cohort is not None and args.cohort not in labels:
        shown = ", ".join(labels[-6:]) if labels else "none"
        raise CommandError(f"--cohort {args.cohort!r} is not a cohort of this data at --period {args.period}; latest: {shown}")
    if not labels:
        print(f"warning: no cohort in the data (as of {engine.as_of_for(query).date()})", file=sys.stderr)
    _step(args, f"fitting the retention model with {args.bootstrap} bootstrap replicates")
    bundle = forecast_all(
        inputs.customers, inputs.revenue, inputs.monthly, inputs.model, inputs.subscriptions,
        horizon=args.horizon, settings=LtvSettings(args.gross_margin, args.discount), mrr_months=args.months,
        window=args.window, mode=args.mode, bootstrap=args.bootstrap, seed=args.seed,
        scenario=Scenario(args.churn_change, args.new_change, args.expansion_change), rows=inputs.rows,
        last_month=inputs.last_month, base_mrr=inputs.base_mrr,
    )
    payload = bundle_json(bundle, args.cohort)
    if args.format == "table":
        summary = cohort_summary(bundle.retention)
        if args.cohort is not None:
            summary = summary[summary["cohort"] == args.cohort]
        emit(payload, summary.drop(columns=["ltv_reason"]), "table")
        print()
        emit(payload, bundle.mrr.frame if len(bundle.mrr.frame) else pd.DataFrame({"mrr": []}), "table")
        return 0
    emit(payload, cohorts_long(bundle, args.cohort), args.format, files=import_files(args))
    return 0
