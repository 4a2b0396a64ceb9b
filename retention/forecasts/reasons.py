"""Why a forecast gives no number: reason codes and their wording (translated where shown)."""

from __future__ import annotations

from retention.i18n import N_

REASON_TEXT = {
    "too_young": N_("not enough data: the cohorts are too young (fewer than 2 periods after their start) to tell "
                    "how churn changes with age"),
    "too_few_churns": N_("not enough data: fewer than 10 customers have left, too few to estimate how long customers stay"),
    "no_fit": N_("not enough data: the churn pattern does not pin the model down (it fits equally well with "
                 "any long lifetime)"),
    "beyond_horizon": N_("not enough data: the model expects more than half of customers to still pay after 10 years, "
                         "far beyond what the data has seen"),
    "long_lifetime": N_("not enough data: the implied lifetime is more than 10 years, far beyond what the data has seen"),
    "no_revenue": N_("no revenue figures to value customers with"),
    "no_history": N_("no complete month of MRR to start from"),
}


def reason_text(code: str | None) -> str:
    """The English template for a reason code (pass it through the reader's translator)."""
    return REASON_TEXT.get(code or "", REASON_TEXT["no_fit"])
