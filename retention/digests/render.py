"""A digest in words: the HTML e-mail, its plain-text part and the chat message, in one language.

Every value that comes from the data (dataset name, customer names, notes, reasons) is escaped for
HTML, and stripped of Slack's control characters (`<`, `>`, `&`) in the chat message, so a name
such as `<!channel>` or `<script>` stays text.  The trend is drawn as an HTML bar row and a
Unicode sparkline: no image to fetch, nothing for a mail client to block.
"""

from __future__ import annotations

import html

from retention import formatting
from retention.digests.content import Digest
from retention.glossary import METRICS
from retention.i18n import ENGLISH, N_, Translator
from retention.report.sections import format_value, signed_change

MOVE_NAMES = {
    "new": N_("New"), "reactivation": N_("Reactivated"), "expansion": N_("Expansion"), "contraction": N_("Contraction"),
    "churned": N_("Churned"),
}
_SPARK = "▁▂▃▄▅▆▇█"


def subject(digest: Digest, tr: Translator = ENGLISH) -> str:
    if digest.period == "week":
        return tr("Weekly retention digest: {dataset}, {span}", dataset=_plain(digest.dataset), span=digest.label)
    return tr("Monthly retention digest: {dataset}, {span}", dataset=_plain(digest.dataset), span=digest.label)


def sparkline(values: list[float]) -> str:
    """A row of block characters, one per value, scaled between the smallest and the largest."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = hi - lo or 1.0
    return "".join(_SPARK[min(len(_SPARK) - 1, int((v - lo) / span * (len(_SPARK) - 1) + 0.5))] for v in values)


def _who(move_id: str, name: str) -> str:
    return f"{name} ({move_id})" if name else move_id


def _plain(text: object) -> str:
    """User text for a plain-text or chat line: one line, no chat markup characters."""
    return " ".join(str(text).split()).replace("<", "‹").replace(">", "›").replace("&", "+")


def _kpi_lines(digest: Digest, tr: Translator) -> list[tuple[str, str, str]]:
    rows = []
    for kpi in digest.kpis:
        value = format_value(kpi.name, kpi.value, tr.language, digest.currency)
        change = signed_change(kpi.name, kpi.delta, tr, digest.currency) if kpi.delta is not None else "—"
        rows.append((tr(METRICS[kpi.name].card_label), value, change))
    return rows


def _move_line(digest: Digest, kind: str, tr: Translator) -> str:
    count, amount = digest.moves_total.get(kind, (0, 0.0))
    return tr("{kind}: {count} customers, {amount}", kind=tr(MOVE_NAMES[kind]), count=str(count),
              amount=formatting.money(amount, digest.currency, tr.language))


def render_text(digest: Digest, tr: Translator = ENGLISH) -> str:
    """The plain-text part of the e-mail (and what a mail client without HTML shows)."""
    out = [subject(digest, tr), ""]
    out.append(tr("Data as of {date}", date=formatting.day(digest.as_of, tr.language)))
    if digest.week_change is not None:
        before, after, n_before, n_after = digest.week_change
        out.append(tr("This week: MRR {before} → {after}, paying customers {n_before} → {n_after}",
                      before=formatting.money(before, digest.currency, tr.language),
                      after=formatting.money(after, digest.currency, tr.language), n_before=str(n_before), n_after=str(n_after)))
    out += ["", tr("Last complete month: {period}", period=_month_of(digest))]
    out += [f"- {label}: {value} ({change})" for label, value, change in _kpi_lines(digest, tr)]
    if digest.trend:
        out += ["", tr("MRR, last {n} months: {spark}", n=str(len(digest.trend)), spark=sparkline([v for _, v in digest.trend]))]
    if digest.comparisons:
        out += ["", tr("Against benchmarks and targets")]
        out += [f"- {_comparison_text(b, digest, tr)}" for b in digest.comparisons]
    out += ["", tr("Movements")] + [f"- {_move_line(digest, kind, tr)}" for kind in MOVE_NAMES]
    if digest.moves:
        out += ["", tr("Biggest moves")]
        out += [f"- {_plain(_who(m.customer_id, m.name))}: {tr(MOVE_NAMES[m.kind])}, "
                f"{formatting.money(m.before, digest.currency, tr.language)} → {formatting.money(m.after, digest.currency, tr.language)}"
                for m in digest.moves]
    if len(digest.at_risk):
        out += ["", tr("Accounts at risk")]
        out += [f"- {_plain(_who(str(r.customer_id), str(r.name)))}: {formatting.money(r.mrr, digest.currency, tr.language)}"
                for r in digest.at_risk.itertuples(index=False)]
    if digest.churn_reasons:
        out += ["", tr("Why customers left")] + [f"- {_plain(reason)}: {n}" for reason, n in digest.churn_reasons]
    if digest.notes:
        out += ["", tr("Notes")] + [f"- {day}: {_plain(text)}" for day, text in digest.notes]
    if digest.link:
        out += ["", tr("Open the dashboard: {link}", link=digest.link)]
    return "\n".join(out) + "\n"


def _month_of(digest: Digest) -> str:
    return digest.kpis[0].period if digest.kpis else "—"


def _comparison_text(b, digest: Digest, tr: Translator) -> str:
    verdict = tr("on track") if b.ok else tr("off track")
    value = format_value(b.metric, b.value, tr.language, digest.currency)
    source = f" ({_plain(b.source)})" if b.source else ""
    return f"{tr(METRICS[b.metric].card_label)} — {_plain(b.label)} {value}{source}: {verdict}"


def render_html(digest: Digest, tr: Translator = ENGLISH) -> str:
    """The HTML part: inline styles only (mail clients drop style sheets), every data value escaped."""
    e = html.escape
    h = ["<html><body style=\"font-family:Arial,sans-serif;color:#1f2937;max-width:640px\">",
         f"<h2 style=\"margin:0 0 4px\">{e(subject(digest, tr))}</h2>",
         f"<p style=\"color:#6b7280;margin:0 0 16px\">{e(tr('Data as of {date}', date=formatting.day(digest.as_of, tr.language)))}</p>"]
    if digest.week_change is not None:
        before, after, n_before, n_after = digest.week_change
        h.append("<p>" + e(tr("This week: MRR {before} → {after}, paying customers {n_before} → {n_after}",
                              before=formatting.money(before, digest.currency, tr.language),
                              after=formatting.money(after, digest.currency, tr.language),
                              n_before=str(n_before), n_after=str(n_after))) + "</p>")
    h.append(f"<h3>{e(tr('Last complete month: {period}', period=_month_of(digest)))}</h3>")
    h.append("<table cellpadding=\"6\" style=\"border-collapse:collapse\">")
    for label, value, change in _kpi_lines(digest, tr):
        h.append(f"<tr><td>{e(label)}</td><td style=\"font-weight:bold;text-align:right\">{e(value)}</td>"
                 f"<td style=\"color:#6b7280\">{e(change)}</td></tr>")
    h.append("</table>")
    if digest.trend:
        h.append(f"<h3>{e(tr('MRR, last {n} months', n=str(len(digest.trend))))}</h3>{_bars(digest)}")
    if digest.comparisons:
        h.append(f"<h3>{e(tr('Against benchmarks and targets'))}</h3><ul>")
        h += [f"<li>{e(_comparison_text(b, digest, tr))}</li>" for b in digest.comparisons]
        h.append("</ul>")
    h.append(f"<h3>{e(tr('Movements'))}</h3><ul>" + "".join(f"<li>{e(_move_line(digest, k, tr))}</li>" for k in MOVE_NAMES) + "</ul>")
    if digest.moves:
        h.append(f"<h3>{e(tr('Biggest moves'))}</h3><table cellpadding=\"6\" style=\"border-collapse:collapse\">")
        for m in digest.moves:
            h.append(f"<tr><td>{e(_who(m.customer_id, m.name))}</td><td>{e(tr(MOVE_NAMES[m.kind]))}</td>"
                     f"<td style=\"text-align:right\">{e(formatting.money(m.before, digest.currency, tr.language))} → "
                     f"{e(formatting.money(m.after, digest.currency, tr.language))}</td></tr>")
        h.append("</table>")
    if len(digest.at_risk):
        h.append(f"<h3>{e(tr('Accounts at risk'))}</h3><ul>")
        h += [f"<li>{e(_who(str(r.customer_id), str(r.name)))}: {e(formatting.money(r.mrr, digest.currency, tr.language))}</li>"
              for r in digest.at_risk.itertuples(index=False)]
        h.append("</ul>")
    if digest.churn_reasons:
        reasons = "".join(f"<li>{e(r)}: {n}</li>" for r, n in digest.churn_reasons)
        h.append(f"<h3>{e(tr('Why customers left'))}</h3><ul>{reasons}</ul>")
    if digest.notes:
        h.append(f"<h3>{e(tr('Notes'))}</h3><ul>" + "".join(f"<li>{e(d)}: {e(t)}</li>" for d, t in digest.notes) + "</ul>")
    if digest.link:
        h.append(f"<p><a href=\"{e(digest.link, quote=True)}\">{e(tr('Open the dashboard'))}</a></p>")
    h.append("</body></html>")
    return "\n".join(h)


def _bars(digest: Digest) -> str:
    """The MRR trend as a row of table cells whose heights follow the values (renders in every mail client)."""
    values = [v for _, v in digest.trend]
    top = max(values) or 1.0
    cells = []
    for period, value in digest.trend:
        height = max(2, int(round(60 * value / top)))
        cells.append(f"<td style=\"vertical-align:bottom;padding:0 2px\" title=\"{html.escape(period)}\">"
                     f"<div style=\"background:#2563eb;width:18px;height:{height}px\"></div></td>")
    first, last = html.escape(digest.trend[0][0]), html.escape(digest.trend[-1][0])
    return (f"<table style=\"border-collapse:collapse\"><tr>{''.join(cells)}</tr></table>"
            f"<p style=\"color:#6b7280;font-size:12px;margin:2px 0\">{first} … {last}</p>")


def webhook_payload(digest: Digest, tr: Translator = ENGLISH) -> dict[str, object]:
    """The incoming-webhook message: `{"text": …}`, which Slack and Microsoft Teams both accept."""
    lines = [f"*{_plain(subject(digest, tr))}*"]
    lines += [f"• {label}: {value} ({change})" for label, value, change in _kpi_lines(digest, tr)]
    moves = ", ".join(
        f"{tr(MOVE_NAMES[k])} {digest.moves_total[k][0]}" for k in MOVE_NAMES if digest.moves_total.get(k, (0, 0))[0]
    )
    if moves:
        lines.append(moves)
    if len(digest.at_risk):
        lines.append(tr("Accounts at risk: {n}", n=str(len(digest.at_risk))))
    if digest.link:
        lines.append(digest.link)
    return {"text": "\n".join(lines)}
