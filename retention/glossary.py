"""What each metric is called, what kind of number it is, and what it means in plain words.

One table serves the KPI cards, table headers, exports and the Definitions page, so a metric
is explained the same way wherever it appears.  The wording is ours; the exact rules are
METRICS.md's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from retention.i18n import N_

Kind = Literal["count", "percent", "money", "ratio", "months"]


@dataclass(frozen=True)
class MetricInfo:
    name: str
    label: str
    kind: Kind
    higher_is_better: bool | None
    definition: str
    group: str
    short: str = ""

    @property
    def card_label(self) -> str:
        """The short name for tight spaces (KPI cards); the full label otherwise."""
        return self.short or self.label


G_CUSTOMERS = N_("Customers")
G_MRR = N_("Revenue (MRR)")
G_VALUE = N_("Lifetime and value")

_INFO = [
    MetricInfo("customers_start", N_("Customers at start"), "count", None,
               N_("Paying customers on the last day of the previous period."), G_CUSTOMERS),
    MetricInfo("customers_end", N_("Customers at end"), "count", True,
               N_("Paying customers on the last day of the period. A customer counts when the subscriptions running "
                  "that day add up to more than zero MRR; free and trial users do not count."), G_CUSTOMERS),
    MetricInfo("customers_new", N_("New customers"), "count", True,
               N_("Customers paying at the end of the period who had never been paying at an earlier snapshot."),
               G_CUSTOMERS),
    MetricInfo("customers_reactivated", N_("Reactivated customers"), "count", True,
               N_("Customers who were paying once, had left by the previous snapshot, and are paying again now."),
               G_CUSTOMERS),
    MetricInfo("customers_churned", N_("Churned customers"), "count", False,
               N_("Customers who were paying at the previous snapshot and are not paying at this one."), G_CUSTOMERS),
    MetricInfo("crr", N_("Customer retention rate (CRR)"), "percent", True,
               N_("The industry formula: customers at the end minus the new ones, divided by customers at the start. "
                  "Reactivated customers are not subtracted, so when customers come back CRR can be above 100 %: "
                  "the returning customers are counted at the end but were not there at the start."), G_CUSTOMERS, short=N_("CRR")),
    MetricInfo("retained_rate", N_("Retained rate"), "percent", True,
               N_("The strict version: the share of customers at the start who are still paying at the end. "
                  "It can never exceed 100 %."), G_CUSTOMERS),
    MetricInfo("logo_churn_rate", N_("Logo churn rate"), "percent", False,
               N_("Churned customers divided by customers at the start: the share of paying accounts lost."),
               G_CUSTOMERS, short=N_("Logo churn")),
    MetricInfo("mrr_start", N_("MRR at start"), "money", None,
               N_("Monthly recurring revenue on the last day of the previous period. Annual and quarterly plans are "
                  "spread per month: 1,200 a year is 100 MRR."), G_MRR),
    MetricInfo("mrr_end", N_("MRR"), "money", True,
               N_("Monthly recurring revenue on the last day of the period."), G_MRR),
    MetricInfo("mrr_new", N_("New MRR"), "money", True,
               N_("MRR from customers paying for the first time."), G_MRR),
    MetricInfo("mrr_reactivation", N_("Reactivation MRR"), "money", True,
               N_("MRR from customers who had left and came back."), G_MRR),
    MetricInfo("mrr_expansion", N_("Expansion MRR"), "money", True,
               N_("Extra MRR from customers who pay more than at the previous snapshot: upgrades, more seats, "
                  "add-ons."), G_MRR),
    MetricInfo("mrr_contraction", N_("Contraction MRR"), "money", False,
               N_("MRR lost from customers who still pay, but less: downgrades, fewer seats, or ending one of "
                  "several subscriptions."), G_MRR),
    MetricInfo("mrr_churned", N_("Churned MRR"), "money", False,
               N_("MRR that customers who stopped paying altogether were paying at the previous snapshot."), G_MRR),
    MetricInfo("nrr", N_("Net revenue retention (NRR)"), "percent", True,
               N_("Of the MRR you had at the start, how much you still have from those same customers, counting their "
                  "upgrades and downgrades. Above 100 % means existing customers grow faster than they leave. "
                  "New and returning customers are left out."), G_MRR, short=N_("NRR")),
    MetricInfo("grr", N_("Gross revenue retention (GRR)"), "percent", True,
               N_("Like NRR but without expansion: only losses count, so it is at most 100 %."), G_MRR, short=N_("GRR")),
    MetricInfo("gross_mrr_churn_rate", N_("Gross MRR churn rate"), "percent", False,
               N_("Contraction plus churned MRR, as a share of MRR at the start."), G_MRR),
    MetricInfo("net_mrr_churn_rate", N_("Net MRR churn rate"), "percent", False,
               N_("Gross MRR losses minus expansion and reactivation, as a share of MRR at the start. Negative means "
                  "existing and returning customers more than make up for what is lost."), G_MRR),
    MetricInfo("arpa", N_("ARPA"), "money", True,
               N_("Average revenue per account: MRR at the end divided by paying customers at the end."), G_MRR),
    MetricInfo("quick_ratio", N_("Quick ratio"), "ratio", True,
               N_("MRR gained (new, reactivation, expansion) divided by MRR lost (contraction, churn). Above 4 is "
                  "efficient growth; below 1 means you lose revenue faster than you win it."), G_MRR),
    MetricInfo("customer_lifetime_months", N_("Customer lifetime"), "months", True,
               N_("Expected months a customer stays: one divided by the average monthly logo churn of the last six "
                  "months (as ChartMogul computes it). Empty when nobody churned in those months."), G_VALUE, short=N_("Lifetime")),
    MetricInfo("ltv", N_("LTV"), "money", True,
               N_("Customer lifetime value: ARPA times gross margin times customer lifetime. Set your gross margin "
                  "in the sidebar; it is 100 % until you do."), G_VALUE),
    MetricInfo("renewal_rate", N_("Renewal rate"), "percent", True,
               N_("Of the subscriptions that ended in the period, the share whose customer kept paying through another "
                  "subscription on the day it ended (a renewal, an upgrade or a switch of plan)."), G_VALUE),
]

METRICS: dict[str, MetricInfo] = {m.name: m for m in _INFO}

KPI_CARDS = ["crr", "logo_churn_rate", "nrr", "grr", "mrr_end", "arpa", "ltv", "quick_ratio"]
