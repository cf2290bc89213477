/**
 * The report's whole style sheet, inlined in one <style> element whose sha256 the page's
 * Content-Security-Policy names. Screen: a readable single column; print: the interactive table and
 * its controls hide, the printed break list (print-only) and the charts stay, tables break across pages
 * with their headers repeated.
 */
export const PAGE_STYLE = `
:root { --ink: #1d232a; --muted: #5b6570; --line: #d5dbe1; --soft: #f4f6f8; --diff: #fff1b8; --accent: #1f5f99; }
* { box-sizing: border-box; }
html { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); }
body { margin: 0 auto; padding: 16px 24px 48px; max-width: 1400px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 1rem; margin: 16px 0 6px; }
p.note, .note { color: var(--muted); font-size: 0.9em; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.92em; }
.hash { word-break: break-all; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
.tiles { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 120px; background: var(--soft); }
.tile .n { font-size: 1.5rem; font-weight: 600; display: block; }
.tile .l { color: var(--muted); font-size: 0.85em; }
.tile.status-open { border-left: 5px solid #c0392b; }
.tile.status-explained { border-left: 5px solid #d68910; }
.tile.status-resolved { border-left: 5px solid #1e8449; }
.tile.status-cleared { border-left: 5px solid #7f8c8d; }
.charts { display: flex; flex-wrap: wrap; gap: 16px 32px; }
.charts figure { margin: 0; }
.charts figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { max-width: 100%; height: auto; }
table { border-collapse: collapse; }
table.grid { width: 100%; margin: 6px 0 12px; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
table.grid thead th { background: var(--soft); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
/* A date or a Hong Kong time with its offset reads as one piece, never broken over lines. */
.time { white-space: nowrap; }
.raw { white-space: pre-wrap; word-break: break-all; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; margin: 8px 0; padding: 8px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; }
.controls label { display: flex; flex-direction: column; font-size: 0.85em; color: var(--muted); }
.controls input, .controls select, .pager button, .pager select { font: inherit; color: var(--ink); padding: 3px 6px; }
.controls input[type="search"] { min-width: 16em; }
.pager { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
#breaks-status { font-weight: 600; }
table.breaks { width: 100%; }
table.breaks > thead th { background: var(--soft); border-bottom: 2px solid var(--line); text-align: left; padding: 4px 6px; white-space: nowrap; }
table.breaks > thead th button { font: inherit; font-weight: 600; border: 0; background: none; padding: 0; cursor: pointer; color: var(--accent); }
table.breaks > thead th[aria-sort="ascending"] button::after { content: " \\25B2"; }
table.breaks > thead th[aria-sort="descending"] button::after { content: " \\25BC"; }
table.breaks > tbody > tr.brk > td { border-top: 2px solid var(--line); padding: 6px 6px 2px; vertical-align: top; }
table.breaks > tbody > tr.rec > td { padding: 2px 6px 10px 24px; }
.chip { display: inline-block; border-radius: 9px; padding: 0 8px; font-size: 0.85em; border: 1px solid var(--line); background: #fff; white-space: nowrap; }
.chip.open { background: #fdecea; border-color: #e6b0aa; }
.chip.explained { background: #fef5e7; border-color: #f0c987; }
.chip.resolved { background: #e9f7ef; border-color: #a9dfbf; }
.chip.cleared { background: #f2f3f4; }
.chip.carried { background: #eaf2fb; border-color: #9cc3e6; margin-left: 4px; }
tr.brk.carried > td { background: #f7fafd; }
.tile.carried { border-left: 5px solid #2e86c1; }
section.alert { border: 2px solid #b00020; border-radius: 6px; background: #fdecea; padding: 4px 16px 8px; margin: 16px 0; }
section.alert h2 { color: #b00020; border-bottom-color: #e6b0aa; margin-top: 8px; }
td.incomplete { color: #b00020; }
.reason { display: block; color: var(--muted); font-size: 0.85em; }
.diffs { margin: 0; padding-left: 1.1em; }
table.records { border-collapse: collapse; font-size: 0.92em; }
table.records th, table.records td { border: 1px solid var(--line); padding: 2px 6px; text-align: left; vertical-align: top; }
table.records thead th { background: var(--soft); font-weight: 600; }
table.records tbody th { font-weight: normal; color: var(--muted); }
table.records .side-left { border-top: 3px solid #2e86c1; }
table.records .side-right { border-top: 3px solid #8e44ad; }
table.records tr.diff > * { background: var(--diff); font-weight: 600; }
table.records td.none { color: var(--muted); font-style: italic; }
.print-only { display: none; }
@media print {
  html { font-size: 10pt; }
  body { max-width: none; padding: 0; }
  .screen-only, .controls, .pager, table#breaks { display: none !important; }
  .print-only { display: block; }
  h2 { break-after: avoid; }
  figure, svg.chart, .tile { break-inside: avoid; }
  table { page-break-inside: auto; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  table.records tr.diff > * { background: var(--diff); -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .chip, .tile, section.alert { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
