"""The shifted-beta-geometric (sBG) model of contract duration (Fader & Hardie 2007).

Each customer has a constant chance θ of leaving at every renewal; θ differs between customers
and follows a Beta(α, β) distribution across the cohort.  That one assumption explains why
retention rates rise with age (the customers likely to leave have left) and gives closed forms:

    P(T = 1) = α / (α + β)
    P(T = t) = (β + t − 2) / (α + β + t − 1) · P(T = t − 1)        t ≥ 2
    S(t)     = B(α, β + t) / B(α, β)                                 (still paying at age t)

Here "age" counts periods since the first paid one: age 0 is the cohort's first period, T is the
age at which a customer is first not paying.  α and β are fitted by maximum likelihood (SciPy,
Newton's method on log α, log β with the analytic gradient and Hessian) to churn counts by age; cohorts observed for
different lengths enter one likelihood, each censored at its own last age, so pooling is exact.

The parametric bootstrap draws new churn counts from the fitted model (multinomial over "left at
age 1…m, still there at m" for each cohort), refits, and reads bands off the refitted curves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, hyp2f1, zeta

MIN_CHURN_EVENTS = 10  # fewer churns than this and the two parameters are not identified in practice
MIN_AGES = 2  # one renewal only pins α/(α+β), never α and β apart
_LOG_BOUNDS = (-9.0, 9.0)  # α, β between 1e-4 and 8e3: beyond that the fit is running away, not converging


@dataclass(frozen=True)
class ChurnCounts:
    """Churn data of one or more cohorts: `lost[t-1]` customers left at age t (t = 1…),
    `alive[m]` customers were still paying at their last observed age m (censored)."""

    lost: np.ndarray
    alive: np.ndarray

    @classmethod
    def from_survivors(cls, survivors: list[float] | np.ndarray) -> ChurnCounts:
        """From one cohort's customers still paying at ages 0, 1, …, m.

        A customer who left and came back is counted again in the cohort table; the model
        describes one continuous stay, so the counts are made non-increasing (running minimum)
        and a return never counts as a negative churn.
        """
        counts = np.minimum.accumulate(np.asarray(survivors, dtype=float))
        if len(counts) == 0:
            return cls(np.zeros(0), np.zeros(1))
        lost = counts[:-1] - counts[1:]
        alive = np.zeros(len(counts))
        alive[-1] = counts[-1]
        return cls(lost, alive)

    @classmethod
    def pooled(cls, parts: list[ChurnCounts]) -> ChurnCounts:
        width = max((len(p.lost) for p in parts), default=0)
        lost = np.zeros(width)
        alive = np.zeros(width + 1)
        for p in parts:
            lost[: len(p.lost)] += p.lost
            alive[: len(p.alive)] += p.alive
        return cls(lost, alive)

    @property
    def size(self) -> float:
        return float(self.lost.sum() + self.alive.sum())

    @property
    def churned(self) -> float:
        return float(self.lost.sum())

    @property
    def max_age(self) -> int:
        return len(self.lost)


def churn_probabilities(alpha: float, beta: float, ages: int) -> np.ndarray:
    """P(T = t) for t = 1…ages, by the paper's recursion."""
    out = np.empty(ages)
    if ages == 0:
        return out
    out[0] = alpha / (alpha + beta)
    t = np.arange(2, ages + 1)
    out[1:] = (beta + t - 2) / (alpha + beta + t - 1)
    return np.cumprod(out)


def survival(alpha: float, beta: float, ages: np.ndarray | int) -> np.ndarray:
    """S(t) = B(α, β + t) / B(α, β): the share of a cohort still paying at each age t."""
    t = np.arange(ages + 1) if np.isscalar(ages) else np.asarray(ages, dtype=float)
    return np.exp(betaln(alpha, beta + t) - betaln(alpha, beta))


def retention_rates(alpha: float, beta: float, ages: int) -> np.ndarray:
    """r(t) = S(t) / S(t−1) = (β + t − 1) / (α + β + t − 1) for t = 1…ages: rising with age."""
    t = np.arange(1, ages + 1)
    return (beta + t - 1) / (alpha + beta + t - 1)


def log_likelihood(alpha: float, beta: float, counts: ChurnCounts) -> float:
    lost, alive = counts.lost, counts.alive
    t = np.arange(1, len(lost) + 1)
    base = betaln(alpha, beta)
    ll = float(lost @ (betaln(alpha + 1, beta + t - 1) - base))
    m = np.arange(len(alive))
    return ll + float(alive @ (betaln(alpha, beta + m) - base))


def _objective(x: np.ndarray, lost: np.ndarray, alive: np.ndarray) -> tuple[float, np.ndarray]:
    """Minus the log-likelihood and its gradient in (log α, log β)."""
    a, b = np.exp(x)
    t = np.arange(1, len(lost) + 1)
    m = np.arange(len(alive))
    base = betaln(a, b)
    ll = lost @ (betaln(a + 1, b + t - 1) - base) + alive @ (betaln(a, b + m) - base)
    dab = digamma(a + b)
    # d/dα, d/dβ of betaln(p, q) are ψ(p) − ψ(p+q) and ψ(q) − ψ(p+q).
    d_base_a, d_base_b = digamma(a) - dab, digamma(b) - dab
    s1 = digamma(a + b + t)
    ga = lost @ (digamma(a + 1) - s1 - d_base_a)
    gb = lost @ (digamma(b + t - 1) - s1 - d_base_b)
    s2 = digamma(a + b + m)
    ga += alive @ (digamma(a) - s2 - d_base_a)
    gb += alive @ (digamma(b + m) - s2 - d_base_b)
    return -float(ll), -np.array([ga * a, gb * b])


@dataclass(frozen=True)
class SbgFit:
    """Fitted α, β with what they were fitted on; `supported` says whether to trust them."""

    alpha: float
    beta: float
    log_likelihood: float
    size: float
    churned: float
    max_age: int
    converged: bool
    boot: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)), repr=False, compare=False)

    @property
    def supported(self) -> bool:
        return self.converged and self.churned >= MIN_CHURN_EVENTS and self.max_age >= MIN_AGES

    @property
    def reason(self) -> str | None:
        """Why the fit is not supported, as a code the caller translates; None when it is."""
        if self.max_age < MIN_AGES:
            return "too_young"
        if self.churned < MIN_CHURN_EVENTS:
            return "too_few_churns"
        if not self.converged:
            return "no_fit"
        return None

    def survival(self, ages: int) -> np.ndarray:
        return survival(self.alpha, self.beta, ages)

    def band(self, ages: int, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
        """Low and high survival by age 0…ages from the bootstrap refits (NaN without a bootstrap)."""
        if len(self.boot) == 0:
            nan = np.full(ages + 1, np.nan)
            return nan, nan
        t = np.arange(ages + 1)
        curves = np.exp(betaln(self.boot[:, :1], self.boot[:, 1:] + t) - betaln(self.boot[:, :1], self.boot[:, 1:]))
        tail = (1 - level) / 2 * 100
        return np.percentile(curves, tail, axis=0), np.percentile(curves, 100 - tail, axis=0)


def _fit_params(lost: np.ndarray, alive: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, bool]:
    """(log α, log β) at the maximum and whether it is a proper interior maximum.

    Newton's method with the analytic Hessian first (a few milliseconds); Nelder–Mead on the
    same likelihood when Newton does not settle.  A maximum on the bounds means the likelihood
    keeps rising towards α or β = 0 or ∞ (no churn pattern to separate them): not a fit.
    """
    x, ok, _ = _newton_batch(lost[None, :], alive[None, :], start, steps=200)
    if ok[0]:
        return x[0], True
    result = minimize(lambda v: _objective(v, lost, alive)[0], start, method="Nelder-Mead",
                      bounds=[_LOG_BOUNDS, _LOG_BOUNDS], options={"xatol": 1e-9, "fatol": 1e-11, "maxiter": 4000})
    at_bound = np.any(np.isclose(result.x, _LOG_BOUNDS[0], atol=1e-3) | np.isclose(result.x, _LOG_BOUNDS[1], atol=1e-3))
    return result.x, bool(result.success) and not at_bound


def fit_sbg(counts: ChurnCounts, bootstrap: int = 0, seed: int = 0, groups: dict[int, float] | None = None) -> SbgFit:
    """Maximum-likelihood α, β; with `bootstrap` > 0 also that many parametric-bootstrap refits.

    `groups` gives the number of customers in the cohorts last observed at each age (the
    bootstrap redraws each group); by default all customers form one cohort.
    """
    lost, alive = counts.lost.astype(float), counts.alive.astype(float)
    if counts.churned < MIN_CHURN_EVENTS or counts.max_age < MIN_AGES:  # nothing to trust: not even tried
        return SbgFit(np.nan, np.nan, np.nan, counts.size, counts.churned, counts.max_age, False)
    x, ok = _fit_params(lost, alive, np.zeros(2))
    alpha, beta = np.exp(x)
    boot = np.zeros((0, 2))
    if bootstrap > 0 and ok:
        boot = _bootstrap(alpha, beta, groups or {counts.max_age: counts.size}, counts.max_age, bootstrap, seed, x)
    return SbgFit(float(alpha), float(beta), log_likelihood(alpha, beta, counts), counts.size, counts.churned,
                  counts.max_age, ok, boot)


def _bootstrap(alpha: float, beta: float, groups: dict[int, float], ages: int, replicates: int, seed: int,
               start: np.ndarray) -> np.ndarray:
    """(α, β) refitted on data drawn from the fitted model, `replicates` times.

    Customers are independent given the model, so the cohorts last observed at age m together
    are one multinomial draw over "left at age 1…m, still paying at m".  All replicates are
    refitted at once by Newton's method from the point estimate (they land near it), which takes
    milliseconds where one optimiser call per replicate took seconds.  Draws with no churn at all
    (possible for tiny cohorts) have no finite estimate and are left out, as are the rare
    replicates that do not settle.
    """
    rng = np.random.default_rng(seed)
    p = churn_probabilities(alpha, beta, ages)
    s = survival(alpha, beta, ages)
    lost = np.zeros((replicates, ages))
    alive = np.zeros((replicates, ages + 1))
    for m, n in groups.items():
        probs = np.append(p[:m], s[m])
        draw = rng.multinomial(int(round(n)), probs / probs.sum(), size=replicates)
        lost[:, :m] += draw[:, :m]
        alive[:, m] += draw[:, m]
    x, ok, bound = _newton_batch(lost, alive, start, steps=25)
    # A replicate whose maximum lies on a bound (the draw looks like one churn rate for everyone,
    # α and β → ∞) still has a well-defined curve at the bound: kept, or the band would be too narrow.
    keep = (ok | bound) & (lost.sum(axis=1) > 0)
    return np.exp(x[keep])


def _trigamma(x: np.ndarray) -> np.ndarray:
    return zeta(2.0, x)


def _newton_batch(
    lost_all: np.ndarray, alive_all: np.ndarray, start: np.ndarray, steps: int = 40
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximise the log-likelihood of each row of (lost, alive) in (log α, log β) by damped Newton steps.

    Returns the points, which rows settled at an interior maximum, and which ran onto a bound.
    """
    n = len(lost_all)
    t = np.arange(1, lost_all.shape[1] + 1)[None, :]
    m = np.arange(alive_all.shape[1])[None, :]
    x_all = np.tile(np.asarray(start, dtype=float), (n, 1))
    done = np.zeros(n, dtype=bool)
    ok_all = np.zeros(n, dtype=bool)
    bound_all = np.zeros(n, dtype=bool)
    for _ in range(steps):
        todo = np.flatnonzero(~done)  # rows already converged are not stepped again
        if len(todo) == 0:
            break
        x, lost_t, alive_t = x_all[todo], lost_all[todo], alive_all[todo]
        a, b = np.exp(x[:, :1]), np.exp(x[:, 1:])
        ab = a + b
        d0a, d0b = digamma(a) - digamma(ab), digamma(b) - digamma(ab)
        t0a, t0b, t0ab = _trigamma(a) - _trigamma(ab), _trigamma(b) - _trigamma(ab), -_trigamma(ab)
        s1, s2 = digamma(ab + t), digamma(ab + m)
        q1, q2 = _trigamma(ab + t), _trigamma(ab + m)
        ga = (lost_t * (digamma(a + 1) - s1 - d0a)).sum(1) + (alive_t * (digamma(a) - s2 - d0a)).sum(1)
        gb = (lost_t * (digamma(b + t - 1) - s1 - d0b)).sum(1) + (alive_t * (digamma(b + m) - s2 - d0b)).sum(1)
        haa = (lost_t * (_trigamma(a + 1) - q1 - t0a)).sum(1) + (alive_t * (_trigamma(a) - q2 - t0a)).sum(1)
        hbb = (lost_t * (_trigamma(b + t - 1) - q1 - t0b)).sum(1) + (alive_t * (_trigamma(b + m) - q2 - t0b)).sum(1)
        hab = (lost_t * (-q1 - t0ab)).sum(1) + (alive_t * (-q2 - t0ab)).sum(1)
        a, b = a[:, 0], b[:, 0]
        gu, gv = ga * a, gb * b
        huu, hvv, huv = a * a * haa + gu, b * b * hbb + gv, a * b * hab
        det = huu * hvv - huv * huv
        concave = (huu < 0) & (det > 0)
        safe = np.where(concave, det, 1.0)
        du = np.where(concave, -(hvv * gu - huv * gv) / safe, 0.1 * np.sign(gu))
        dv = np.where(concave, -(huu * gv - huv * gu) / safe, 0.1 * np.sign(gv))
        step = np.maximum(1.0, np.hypot(du, dv))  # at most one unit of log α, log β per step
        x = np.clip(x + np.column_stack([du, dv]) / step[:, None], *_LOG_BOUNDS)
        x_all[todo] = x
        settled = concave & (np.hypot(du, dv) < 1e-8)
        inside = np.all((x > _LOG_BOUNDS[0] + 1e-6) & (x < _LOG_BOUNDS[1] - 1e-6), axis=1)
        done[todo[settled | ~inside]] = True  # on a bound the likelihood runs away: stop, not a fit
        ok_all[todo[settled & inside]] = True
        bound_all[todo[~inside]] = True
    return x_all, ok_all, bound_all


@dataclass(frozen=True)
class CohortData:
    """One cohort's customers still paying at ages 0…m, for fitting."""

    label: str
    survivors: np.ndarray


def pooled_counts(cohorts: list[CohortData]) -> tuple[ChurnCounts, dict[int, float]]:
    """Pooled churn counts and the customers by last observed age (for the bootstrap)."""
    parts = [ChurnCounts.from_survivors(c.survivors) for c in cohorts]
    groups: dict[int, float] = {}
    for part in parts:
        groups[part.max_age] = groups.get(part.max_age, 0.0) + part.size
    return ChurnCounts.pooled(parts), groups


def fit_pooled(cohorts: list[CohortData], bootstrap: int = 0, seed: int = 0) -> SbgFit:
    """One α, β for all cohorts together: every cohort's churns and its own censoring age."""
    counts, groups = pooled_counts(cohorts)
    return fit_sbg(counts, bootstrap, seed, groups)


def derl(alpha: float, beta: float, renewals: int = 0, discount: float = 0.0) -> float:
    """Discounted expected residual lifetime (Fader & Hardie 2010) of a customer still paying at age `renewals`.

    The expected number of further payments, the next one counted in full and each later one
    divided by (1 + d) per period: Σ_{j≥1} S(n+j)/S(n) / (1+d)^(j−1)
    = (β + n) / (α + β + n) · ₂F₁(1, β + n + 1; α + β + n + 1; 1/(1+d)).
    Infinite without discounting when α ≤ 1 (the sBG mean lifetime is then unbounded).
    """
    n = renewals
    x = 1.0 / (1.0 + discount)
    if discount <= 0 and alpha <= 1:
        return float("inf")
    return float((beta + n) / (alpha + beta + n) * hyp2f1(1.0, beta + n + 1, alpha + beta + n + 1, x))
