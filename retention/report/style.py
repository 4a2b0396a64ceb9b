"""The report's stylesheet, inlined so the file works offline and prints cleanly.

System fonts only (no web fonts to fetch), generous whitespace, tabular numbers in tables and
KPI cards, and print rules that keep a card, chart or table row from splitting across pages.
"""

CSS = """
:root {
  --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --soft: #f8fafc; --accent: #2563eb;
  --good: #15803d; --bad: #b91c1c;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.55 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1120px; margin: 0 auto; padding: 40px 32px 64px; }
header.report { border-bottom: 2px solid var(--ink); padding-bottom: 18px; margin-bottom: 28px; }
header.report h1 { font-size: 30px; line-height: 1.2; margin: 0 0 12px; letter-spacing: -0.01em; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; font-size: 14px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
h2 { font-size: 21px; margin: 40px 0 6px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 8px; color: var(--muted); font-weight: 600; }
p.intro { color: #334155; margin: 6px 0 16px; max-width: 75ch; }
section.kpis h2 { border-top: 0; margin-top: 8px; }
section.kpis .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 14px; margin-top: 14px; }
.card { border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; background: var(--soft); break-inside: avoid; }
.card .label { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
.card .value { font-size: 26px; font-weight: 650; margin-top: 4px; font-variant-numeric: tabular-nums; }
.card .delta { font-size: 13px; margin-top: 2px; color: var(--muted); font-variant-numeric: tabular-nums; }
.card .delta.good { color: var(--good); }
.card .delta.bad { color: var(--bad); }
.card .note { font-size: 12px; color: var(--muted); margin-top: 6px; }
.chart { margin: 10px 0 18px; break-inside: avoid; page-break-inside: avoid; }
.table-wrap { overflow-x: auto; margin: 8px 0 20px; }
table.data { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
table.data th { text-align: left; font-weight: 600; color: #334155; background: var(--soft); border-bottom: 1px solid #cbd5e1; }
table.data th, table.data td { padding: 6px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
table.data td.num { text-align: right; }
table.data tr { break-inside: avoid; page-break-inside: avoid; }
p.caption { font-size: 12px; color: var(--muted); margin: 4px 0 0; }
dl.definitions dt { font-weight: 600; margin-top: 12px; }
dl.definitions dd { margin: 2px 0 0; color: #334155; max-width: 80ch; }
footer { margin-top: 48px; padding-top: 12px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .modebar, .modebar-container { display: none !important; }
  .card { background: #fff; }
  .table-wrap { overflow: visible; }
}
"""
