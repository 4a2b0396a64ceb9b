"""The made-up company's price list, markets and vocabulary.

Everything the generator draws from lives here as plain tables, so the story the sample tells
(who buys which plan, what they pay, what they say in surveys) can be read in one place and
changed without touching the simulation.
"""

from __future__ import annotations

import numpy as np

# Tiers, cheapest first; index = tier number used throughout the simulation.
PLANS = ("Starter", "Growth", "Pro", "Enterprise")
PLAN_SHARE = np.array([0.46, 0.30, 0.17, 0.07])
# List price per seat per month in USD; a year costs ten months (two months free).
PRICE_MONTH = np.array([19, 39, 79, 129])
ANNUAL_MONTHS_CHARGED = 10
ADDON_PLAN = "Analytics add-on"
ADDON_PRICE_MONTH = 9

# Seats at signup: median and upper bound per tier (log-normal around the median).
SEATS_MEDIAN = np.array([2.0, 6.0, 14.0, 30.0])
SEATS_MAX = np.array([8, 30, 80, 300])
SEATS_MIN = np.array([1, 2, 5, 20])

# Self-serve tiers start with a 14-day trial; Enterprise is sold by sales and never trials.
TRIAL_DAYS = 14
TRIAL_SHARE = np.array([0.70, 0.55, 0.30, 0.0])
TRIAL_FAILS = 0.22  # share of trials that never convert (before the health adjustment)
ANNUAL_SHARE = np.array([0.12, 0.22, 0.38, 0.75])

# Monthly churn hazard of a monthly-billed customer in a steady month, by tier.
CHURN_BASE = np.array([0.050, 0.030, 0.020, 0.012])
# Annual customers can only leave at renewal; the yearly hazard is damped (they chose to commit).
ANNUAL_RENEWAL_DAMPING = 0.7
# Share of churned customers that come back later, by tier.
WINBACK_SHARE = np.array([0.16, 0.20, 0.22, 0.15])

SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+")
SIZE_BY_PLAN = np.array([
    [0.55, 0.35, 0.08, 0.02, 0.00],
    [0.20, 0.45, 0.28, 0.06, 0.01],
    [0.05, 0.25, 0.42, 0.22, 0.06],
    [0.00, 0.03, 0.17, 0.45, 0.35],
])
SEATS_BY_SIZE = np.array([0.7, 0.9, 1.0, 1.2, 1.5])

CHANNELS = ("organic", "paid search", "partner", "outbound", "referral")
CHANNEL_BY_PLAN = np.array([
    [0.38, 0.32, 0.08, 0.07, 0.15],
    [0.32, 0.25, 0.13, 0.12, 0.18],
    [0.20, 0.14, 0.20, 0.28, 0.18],
    [0.10, 0.05, 0.25, 0.45, 0.15],
])
# Customers from paid search fit worse and churn more; referrals fit best.
CHANNEL_FIT = np.array([0.0, -0.25, 0.05, 0.0, 0.25])

COUNTRIES = ("NL", "DE", "FR", "IT", "RO", "GB", "US", "ES", "BE", "SE", "PL")
COUNTRY_SHARE = np.array([0.14, 0.16, 0.10, 0.06, 0.05, 0.12, 0.25, 0.04, 0.03, 0.03, 0.02])
# Hours from UTC (winter time): when their users log in.  US customers spread over four zones.
COUNTRY_UTC_OFFSET = np.array([1, 1, 1, 1, 2, 0, -5, 1, 1, 1, 1])
US_OFFSETS = np.array([-5, -6, -7, -8])
LEGAL_SUFFIX = ("B.V.", "GmbH", "SAS", "S.r.l.", "S.R.L.", "Ltd", "Inc.", "S.L.", "BV", "AB", "Sp. z o.o.")

INDUSTRIES = (
    "Software", "E-commerce", "Marketing agency", "Financial services", "Healthcare", "Manufacturing",
    "Education", "Logistics", "Real estate", "Nonprofit", "Media",
)
INDUSTRY_SHARE = np.array([0.22, 0.14, 0.12, 0.09, 0.08, 0.08, 0.07, 0.07, 0.05, 0.04, 0.04])
# Three words per industry for the company name ("Northgate Logistics B.V.").
INDUSTRY_WORDS = (
    ("Software", "Labs", "Systems"),
    ("Store", "Goods", "Commerce"),
    ("Creative", "Media", "Marketing"),
    ("Capital", "Finance", "Partners"),
    ("Health", "Care", "Clinics"),
    ("Industries", "Manufacturing", "Works"),
    ("Learning", "Academy", "Education"),
    ("Logistics", "Freight", "Transport"),
    ("Properties", "Estates", "Realty"),
    ("Foundation", "Trust", "Initiative"),
    ("Media", "Studios", "Publishing"),
)
NAME_HEADS = (
    "Blue", "North", "Silver", "Bright", "Green", "Iron", "Oak", "Swift", "Clear", "Red", "Stone", "Sun",
    "Cloud", "River", "Maple", "Golden", "Nova", "Peak", "Alpine", "Coral", "Delta", "Echo", "Falcon", "Harbor",
    "Lumen", "Meridian", "Orbit", "Pine", "Quartz", "Summit", "Tide", "Vector", "West", "Zephyr", "Amber",
    "Birch", "Cedar", "Crest", "Dune", "Flint",
)
NAME_TAILS = (
    "field", "point", "wave", "gate", "line", "stone", "bridge", "works", "light", "path", "wood", "forge",
    "view", "port", "spring", "mark", "ridge", "bay", "haven", "loop", "crest", "brook", "hill", "leaf",
)

# Product events other than the daily login, with their shares.
EVENTS = (
    "report_viewed", "export", "comment_added", "filter_saved", "dashboard_created", "alert_created",
    "invite_sent", "integration_connected",
)
EVENT_SHARE = np.array([0.44, 0.14, 0.12, 0.10, 0.08, 0.06, 0.04, 0.02])

# Survey comments.  Detractors complain about price, bugs and support, as real ones do.
NPS_COMMENTS = {
    "detractor": (
        "Too expensive for what we actually use",
        "The price went up again and nobody told us",
        "Exports keep failing on large reports",
        "Too many bugs since the last release",
        "Support took four days to answer a simple question",
        "Reports are slow to load and time out",
        "Hard to get the rest of the team to use it",
        "Missing the integrations we need",
        "We pay for seats nobody uses",
        "Support keeps sending us to the docs",
    ),
    "passive": (
        "Does the job but has rough edges",
        "Good tool; reporting could be more flexible",
        "Fine for now but we are watching the price",
        "Solid product, onboarding took a while",
        "Works well once it is set up",
        "Would like better permissions for teams",
    ),
    "promoter": (
        "Saves us hours every week",
        "Our whole team lives in the dashboards",
        "Great support with fast and friendly answers",
        "Easy to set up and easy to share reports",
        "Best tool we bought this year",
        "The alerts caught a problem before our customers did",
        "Exactly what we needed at a fair price",
    ),
}
CSAT_COMMENTS = {
    "low": (
        "Issue not solved",
        "Took too long to get a reply",
        "Had to explain the problem three times",
        "The workaround is not a fix",
    ),
    "mid": (
        "Solved but it took a while",
        "Okay answer, a bit generic",
        "Fixed after a second ticket",
    ),
    "high": (
        "Quick and friendly help",
        "Solved in one reply",
        "Thanks, works now",
        "Very clear explanation",
    ),
}
