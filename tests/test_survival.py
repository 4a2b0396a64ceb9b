"""Kaplan–Meier lifetime curves (METRICS.md §7), their figure and the `survival` command.

The fixture (tests/fixtures/cohorts/, as of 2024-06-30) has these monthly MRR rows, Jan–Jun 2024
(see tests/test_cohorts.py for the spans behind them):

    a 100 100 100 100 100 100   first run Jan..Jun, still active      -> duration 6, censored
    b 200 200   0   0   0   0   Jan, Feb, inactive at Mar             -> 2, churned
    c  50   0   0  80  80  80   Jan, inactive at Feb (comes back Apr) -> 1, churned: a comeback does not extend the first run
    d   0 100 100 150 100 100   Feb..Jun                              -> 5, censored
    e   0  40  40  40  40   0   Feb..May, inactive at Jun             -> 4, churned
    f   0   0  60   0   0   0   Mar, inactive at Apr                  -> 1, churned
    g   0   0   0   0  30  30   May, Jun (its free span does not count) -> 2, censored
    h   0   0   0   0   0  70   Jun                                   -> 1, censored

Plans: a, b, d Pro; c, f, g Team; e blank and h not in customers.csv: "(no value)".
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_g3, load_waltons

from retention.cli import main
from retention.dataset import load_dataset
from retention.engine.metrics import segment_mask
from retention.engine.segments import NO_VALUE
from retention.engine.survival import kaplan_meier, lifetimes, survival_curves
from retention.figures.survival import survival_figure

FIXTURES = Path(__file__).parent / "fixtures" / "cohorts"
SUBS = str(FIXTURES / "subscriptions.csv")
CUSTOMERS = str(FIXTURES / "customers.csv")
AS_OF = "2024-06-30"
DURATIONS = {"a": (6, 0), "b": (2, 1), "c": (1, 1), "d": (5, 0), "e": (4, 1), "f": (1, 1), "g": (2, 0), "h": (1, 0)}


@pytest.fixture(scope="module")
def data():
    return load_dataset(SUBS, CUSTOMERS)


@pytest.fixture(scope="module")
def model(data):
    return data.model(AS_OF)


def test_durations_and_censoring(model):
    life = lifetimes(model)
    got = {c: (d, e) for c, d, e in zip(life["customer_id"], life["duration"], life["event"], strict=True)}
    assert got == DURATIONS


def test_window_end_censors(data):
    # Default as-of is 2024-06-15, so May is the last snapshot: e (active through May) is now censored
    # at 4, h (first paid in June) has no complete month yet and no duration at all
    life = lifetimes(data.model())
    got = {c: (d, e) for c, d, e in zip(life["customer_id"], life["duration"], life["event"], strict=True)}
    assert got == {"a": (5, 0), "b": (2, 1), "c": (1, 1), "d": (4, 0), "e": (4, 0), "f": (1, 1), "g": (1, 0)}


def test_hand_computed_curve(model):
    (curve,) = survival_curves(model)
    # sorted: 1 c†, 1 f†, 1 h(c), 2 b†, 2 g(c), 4 e†, 5 d(c), 6 a(c)   († churned, (c) censored)
    # t=1: 8 at risk, 2 churn -> S = 6/8 = 0.75
    # t=2: 8-3 = 5 at risk, 1 churn -> 0.75 × 4/5 = 0.6
    # t=4: 5-2 = 3 at risk, 1 churn -> 0.6 × 2/3 = 0.4; median = first t with S <= 0.5 = 4
    assert curve.segment is None
    assert curve.timeline.tolist() == [0, 1, 2, 4, 5, 6]
    assert curve.survival == pytest.approx([1, 0.75, 0.6, 0.4, 0.4, 0.4])
    assert curve.median_lifetime_months == 4
    assert (curve.customers, curve.churned) == (8, 4)
    assert (curve.lower <= curve.survival + 1e-12).all() and (curve.upper >= curve.survival - 1e-12).all()
    assert curve.at([0, 0.5, 3, 10]).tolist() == pytest.approx([1, 1, 0.6, 0.4])


def test_curve_equals_lifelines_on_the_same_durations(model):
    (curve,) = survival_curves(model)
    durations = [d for d, _ in DURATIONS.values()]
    events = [e for _, e in DURATIONS.values()]
    kmf = KaplanMeierFitter().fit(durations, events)
    np.testing.assert_allclose(curve.timeline, kmf.survival_function_.index.to_numpy())
    np.testing.assert_allclose(curve.survival, kmf.survival_function_.iloc[:, 0].to_numpy())
    np.testing.assert_allclose(curve.lower, kmf.confidence_interval_.iloc[:, 0].to_numpy())
    np.testing.assert_allclose(curve.upper, kmf.confidence_interval_.iloc[:, 1].to_numpy())


def test_lifelines_r_checked_example_through_our_code():
    # lifelines' test_kmf_survival_curve_output_against_R / ..._confidence_intervals_output_against_R:
    # data set g3, values from R's survfit (conf.type = "log-log").
    g3 = load_g3()
    rit = g3["group"] == "RIT"
    other = kaplan_meier(g3.loc[~rit, "time"].to_numpy(), g3.loc[~rit, "event"].to_numpy())
    at = np.array([9, 19, 32, 34])
    np.testing.assert_allclose(other.at(at), [0.833, 0.667, 0.5, 0.333], rtol=1e-2)
    pos = np.searchsorted(other.timeline, at)
    np.testing.assert_allclose(other.lower[pos], [0.2731, 0.1946, 0.1109, 0.0461], rtol=1e-3)
    np.testing.assert_allclose(other.upper[pos], [0.975, 0.904, 0.804, 0.676], rtol=1e-3)
    # METRICS.md: the first t with S(t) <= 0.5; S(32) = 5/6 × 4/5 × 3/4 = 0.5 exactly (lifelines' own
    # median_survival_time_ says 34 because its float product is 0.5000000000000001)
    assert other.median_lifetime_months == 32
    treated = kaplan_meier(g3.loc[rit, "time"].to_numpy(), g3.loc[rit, "event"].to_numpy())
    np.testing.assert_allclose(treated.at([25, 53]), [0.909, 0.779], rtol=1e-2)
    assert treated.median_lifetime_months is None  # never reaches 0.5


def test_waltons_matches_lifelines():
    waltons = load_waltons()
    curve = kaplan_meier(waltons["T"].to_numpy(), waltons["E"].to_numpy())
    kmf = KaplanMeierFitter().fit(waltons["T"], waltons["E"])
    np.testing.assert_allclose(curve.survival, kmf.survival_function_.iloc[:, 0].to_numpy())
    assert curve.median_lifetime_months == kmf.median_survival_time_ == 56


def test_curves_by_segment(data, model):
    curves = survival_curves(model, data.customers_table, by="plan")
    assert [c.segment for c in curves] == ["Pro", "Team", NO_VALUE]
    pro, team, none = curves
    # Pro: a 6(c), b 2†, d 5(c): t=2: 3 at risk, 1 churn -> 2/3; never <= 0.5
    assert pro.survival == pytest.approx([1, 2 / 3, 2 / 3, 2 / 3]) and pro.median_lifetime_months is None
    # Team: c 1†, f 1†, g 2(c): t=1: 3 at risk, 2 churn -> 1/3; median 1
    assert team.survival == pytest.approx([1, 1 / 3, 1 / 3]) and team.median_lifetime_months == 1
    # (no value): h 1(c), e 4†: t=1 censoring only (S = 1); t=4: 1 at risk, 1 churn -> 0; median 4
    assert none.timeline.tolist() == [0, 1, 4] and none.survival == pytest.approx([1, 1, 0])
    assert none.median_lifetime_months == 4


def test_rows_limit_customers(data, model):
    rows = segment_mask(model, data.customers_table, ("plan", "Team"))
    (curve,) = survival_curves(model, rows=rows)
    assert curve.customers == 3 and curve.survival == pytest.approx([1, 1 / 3, 1 / 3])


def test_unknown_attribute(data, model):
    with pytest.raises(ValueError, match="tier"):
        survival_curves(model, data.customers_table, by="tier")


def test_figure_band_and_median(data, model):
    curves = survival_curves(model, data.customers_table, by="plan")
    fig = survival_figure(curves)
    lines = [t for t in fig.data if t.mode == "lines" and t.showlegend is not False]
    assert [t.name for t in lines] == ["Pro (n=3)", "Team (n=3)", "(no value) (n=2)"]
    assert len({t.line.color for t in lines}) == 3
    bands = [t for t in fig.data if t.fill == "tonexty"]
    assert len(bands) == 3
    medians = [t for t in fig.data if t.mode == "markers"]
    assert [(m.x[0], m.y[0]) for m in medians] == [(1, pytest.approx(100 / 3)), (4, 0)]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_shape(capsys):
    code, out, _ = _run(capsys, "survival", "--subscriptions", SUBS, "--as-of", AS_OF)
    assert code == 0
    (curve,) = json.loads(out)["curves"]
    assert set(curve) == {"segment", "timeline", "survival", "lower", "upper", "median_lifetime_months"}
    assert curve["segment"] is None
    assert curve["timeline"] == [0, 1, 2, 4, 5, 6]
    assert curve["survival"] == pytest.approx([1, 0.75, 0.6, 0.4, 0.4, 0.4])
    assert curve["median_lifetime_months"] == 4
    assert len(curve["lower"]) == len(curve["upper"]) == 6


def test_cli_by_segment(capsys):
    code, out, _ = _run(capsys, "survival", "--subscriptions", SUBS, "--customers", CUSTOMERS, "--by", "plan",
                        "--as-of", AS_OF, "--format", "json")
    assert code == 0
    curves = json.loads(out)["curves"]
    assert [(c["segment"], c["median_lifetime_months"]) for c in curves] == [("Pro", None), ("Team", 1), ("(no value)", 4)]


def test_cli_errors(capsys):
    code, _, err = _run(capsys, "survival", "--subscriptions", SUBS, "--by", "plan")
    assert code == 2 and "--customers" in err
    code, _, err = _run(capsys, "survival", "--subscriptions", SUBS, "--customers", CUSTOMERS, "--by", "tier")
    assert code == 2 and "no column 'tier'" in err
    code, _, err = _run(capsys, "survival", "--subscriptions", SUBS, "--as-of", "soon")
    assert code == 2 and "--as-of" in err
