import type { ReconCounts } from '../../reconcile/run-counts.js';
import { BREAK_KINDS, BREAK_STATUSES } from '../../model/vocabulary.js';
import type { ReportRun } from '../run-data.js';
import type { BreakTallies } from './break-data.js';
import { hkTime } from '../../model/dates.js';
import { escapeHtml as h } from './escape.js';
import type { HistoryDay } from './history.js';
import type { InputFile, RefusedFile, RejectedRow } from './provenance.js';
import { barChart, columnChart, type Bar } from './svg-chart.js';
import type { ReinputRow } from '../reinput.js';

/**
 * The server-rendered parts of the report page, each a function of plain data returning HTML text in
 * which every value is escaped.
 */

const fmt = new Intl.NumberFormat('en-US');
const n = (v: number): string => fmt.format(v);
/** An instant (ISO, UTC) as people read it: Hong Kong time with the offset; '' for none. */
const hk = (v: string | null): string => (v === null ? '' : hkTime(v));

const STATUS_COLOR: Readonly<Record<string, string>> = {
  open: '#c0392b',
  explained: '#d68910',
  resolved: '#1e8449',
  cleared: '#7f8c8d',
};
const KIND_COLOR: Readonly<Record<string, string>> = {
  only_left: '#2e86c1',
  only_right: '#8e44ad',
  mismatch: '#d35400',
  duplicate_left: '#17a589',
  duplicate_right: '#b03a2e',
};

/** Who the report is for: the configured participant, else the participants of the run's input files. */
export interface Participant {
  readonly code: string;
  readonly name?: string;
}

/** The document's head and the report header. */
export function headerHtml(args: {
  run: ReportRun;
  participants: readonly Participant[];
  asOf: string | null;
  writtenAt: string;
  csp: string;
  style: string;
}): string {
  const { run, participants, asOf } = args;
  const who = participants.length === 0 ? '(unknown)' : participants.map((p) => p.code).join(', ');
  const names = participants.map((p) => (p.name ? `${p.code} \u2014 ${p.name}` : p.code)).join('; ');
  const title = `Break report ${who} ${run.businessDate} (run ${run.id})`;
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta http-equiv="Content-Security-Policy" content="${h(args.csp)}">\n` +
    `<meta name="referrer" content="no-referrer">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<meta name="generator" content="dcass-recon">\n` +
    `<title>${h(title)}</title>\n<style>${args.style}</style>\n</head>\n<body>\n` +
    `<header id="report-header">\n<h1>Break report: ${h(who)}, business date ${h(run.businessDate)}</h1>\n` +
    `<dl class="meta">` +
    `<dt>Participant</dt><dd>${h(names || '(not configured and no input file names one)')}</dd>` +
    `<dt>Business date</dt><dd>${h(run.businessDate)}</dd>` +
    `<dt>Run</dt><dd><span class="mono">${h(run.id)}</span>, started ${h(hk(run.startedAt))}, finished ${h(run.finishedAt === null ? '(not finished)' : hk(run.finishedAt))}</dd>` +
    `<dt>Rule set</dt><dd>${h(run.ruleSet.name)}, sha256 <span class="mono hash">${h(run.ruleSet.sha256)}</span></dd>` +
    `<dt>Reconciliations</dt><dd>${h(run.recons.join(', '))}</dd>` +
    (run.house === null
      ? ''
      : `<dt>Clearing house</dt><dd><strong>${h(run.house.house)}</strong> only: the breaks of its products (${h(run.house.roots.join(', ') || 'none in the product table')}) and of products the table does not know</dd>`) +
    `<dt>Break register</dt><dd>${
      asOf === null
        ? 'as it stands at the time of writing'
        : `as of <strong>${h(hk(asOf))}</strong> (statuses, reasons and comments rebuilt from the register's events)`
    }</dd>` +
    `<dt>Written</dt><dd>${h(hk(args.writtenAt))}</dd>` +
    `</dl>\n<p class="note">Times are Hong Kong time (UTC+08:00); breaks.json holds the same instants in UTC. Decimals are printed exactly as recorded. ` +
    `This file is self-contained: it loads nothing from any network.</p>\n</header>\n`
  );
}

function tile(value: number, label: string, cls = ''): string {
  return `<div class="tile${cls ? ` ${cls}` : ''}"><span class="n">${n(value)}</span><span class="l">${h(label)}</span></div>`;
}

/**
 * The red notice at the top of a run with missing inputs: each input, the reconciliation (and side)
 * it kept from running, and what to do. Empty when nothing was missing.
 */
export function missingInputsHtml(run: ReportRun): string {
  const missing = run.missingInputs;
  if (missing.length === 0) return '';
  const recons = [...new Set(missing.map((m) => m.recon))];
  let s = `<section id="missing-inputs" class="alert" role="alert">\n<h2>Incomplete: ${n(missing.length)} expected input${
    missing.length === 1 ? ' is' : 's are'
  } missing</h2>\n<p>The reconciliation${recons.length === 1 ? '' : 's'} ${h(recons.join(', '))} could not run for `;
  s += `${h(run.businessDate)}: ${recons.length === 1 ? 'it has' : 'they have'} no breaks below and cleared nothing. `;
  s += `A quiet report is not a clean one until the input arrives and the date is run again.</p>\n<ul>`;
  for (const m of missing) {
    s +=
      `<li><strong>${h(m.input)}</strong> (${h(m.source)} ${h(m.entity)}, expected for ${h(m.businessDate)}): ` +
      `<strong>${h(m.state)}</strong>, blocked ${h(m.recon)} (${h(m.side)} side). ${h(m.detail)}</li>`;
  }
  return `${s}</ul>\n</section>\n`;
}

/** Summary tiles: breaks by status, by kind, and per reconciliation its counts. */
export function summaryHtml(run: ReportRun, t: BreakTallies): string {
  let s = `<section id="summary">\n<h2>Summary</h2>\n<h3>Breaks listed by status</h3>\n<div class="tiles" id="tiles-status">`;
  s += tile(t.total, 'breaks listed');
  for (const st of BREAK_STATUSES) s += tile(t.byStatus.get(st) ?? 0, st, `status-${st}`);
  s += tile(t.carried, 'carried from earlier dates', 'carried');
  s += `</div>\n<h3>By kind</h3>\n<div class="tiles" id="tiles-kind">`;
  const kinds = [
    ...BREAK_KINDS,
    ...[...t.byKind.keys()].filter((k) => !(BREAK_KINDS as readonly string[]).includes(k)),
  ];
  for (const k of kinds) s += tile(t.byKind.get(k) ?? 0, k.replace('_', ' '));
  s += `</div>\n<h3>By reconciliation</h3>\n<table class="grid" id="tiles-recon"><thead><tr><th>reconciliation</th>`;
  s += `<th class="num">left records</th><th class="num">right records</th><th class="num">matched</th><th class="num">breaks</th>`;
  for (const st of BREAK_STATUSES) s += `<th class="num">${st}</th>`;
  s += `<th class="num">cleared by this run</th><th class="num">carried</th></tr></thead><tbody>`;
  for (const recon of run.recons) {
    const c: Partial<ReconCounts> = run.counts[recon] ?? {};
    const byStatus = t.byRecon.get(recon) ?? new Map<string, number>();
    const total = BREAK_STATUSES.reduce((a, st) => a + (byStatus.get(st) ?? 0), 0);
    s += `<tr><th>${h(recon)}</th>`;
    const carried = `<td class="num">${n(byStatus.get('carried') ?? 0)}</td>`;
    if (c.incomplete) {
      s += `<td colspan="9" class="incomplete"><strong>incomplete</strong>: ${h(c.incomplete)}</td>${carried}</tr>`;
      continue;
    }
    if (c.skipped) {
      s += `<td colspan="9">skipped: ${h(c.skipped)}</td>${carried}</tr>`;
      continue;
    }
    s +=
      `<td class="num">${n(Number(c.leftRecords ?? 0))}</td><td class="num">${n(Number(c.rightRecords ?? 0))}</td>` +
      `<td class="num">${n(Number(c.matched ?? 0))}</td><td class="num">${n(total)}</td>`;
    for (const st of BREAK_STATUSES) s += `<td class="num">${n(byStatus.get(st) ?? 0)}</td>`;
    s += `<td class="num">${n(byStatus.get('clearedByRun') ?? 0)}</td>${carried}</tr>`;
  }
  s += `</tbody></table>\n<p class="note">The breaks listed are those this run found, then those of earlier runs it `;
  s += `no longer found and so cleared (${n(t.clearedByRun)}), then those it <strong>carries</strong> (${n(t.carried)}): `;
  s += `still open or explained, first seen on an earlier date and not found by this run (another day's trades, or a `;
  s += `reconciliation that did not run), shown with the records of their last sighting until someone closes them. `;
  s += `Ages count business days from the first sighting to this report's date. Statuses are the break register's, as of the moment in the header `;
  s += `(a person's decision carries over from earlier runs). “breaks” per reconciliation counts those this run found.</p>\n</section>\n`;
  return s;
}

const ACCOUNT_BARS = 15;

/** The charts: breaks by kind and by account, and the history across the business dates. */
export function chartsHtml(t: BreakTallies, history: readonly HistoryDay[], maxDays: number): string {
  const kindBars: Bar[] = [...t.byKind.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => ({ label: k, value: v, color: KIND_COLOR[k] ?? '#566573' }));
  const accounts = [...t.byAccount.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const accountBars: Bar[] = accounts
    .slice(0, ACCOUNT_BARS)
    .map(([k, v]) => ({ label: k, value: v, color: '#1f5f99' }));
  if (accounts.length > ACCOUNT_BARS) {
    const rest = accounts.slice(ACCOUNT_BARS);
    accountBars.push({
      label: `${n(rest.length)} other accounts`,
      value: rest.reduce((a, [, v]) => a + v, 0),
      color: '#aab7c4',
    });
  }
  const dates = history.map((d) => d.businessDate);
  let s = `<section id="charts">\n<h2>Charts</h2>\n<div class="charts">`;
  s += `<figure><figcaption>Breaks listed by kind</figcaption>${barChart('chart-kind', 'Breaks listed by kind', kindBars)}</figure>`;
  s += `<figure><figcaption>Breaks listed by account${accounts.length > ACCOUNT_BARS ? ` (top ${ACCOUNT_BARS})` : ''}</figcaption>${barChart('chart-account', 'Breaks listed by account', accountBars)}</figure>`;
  s += `<figure><figcaption>Breaks in the register per business day</figcaption>${columnChart(
    'chart-open',
    'Open and explained breaks in the register at the end of each business day',
    dates,
    [
      { name: 'open', color: STATUS_COLOR.open!, values: history.map((d) => d.open) },
      { name: 'explained', color: STATUS_COLOR.explained!, values: history.map((d) => d.explained) },
    ],
    'stacked',
  )}</figure>`;
  s += `<figure><figcaption>New versus cleared per business day</figcaption>${columnChart(
    'chart-new-cleared',
    'Breaks new (detected or reappeared) and cleared by each business day’s run',
    dates,
    [
      { name: 'new', color: '#c0392b', values: history.map((d) => d.detected + d.reappeared) },
      { name: 'cleared', color: '#1e8449', values: history.map((d) => d.cleared) },
    ],
    'grouped',
  )}</figure>`;
  s += `</div>\n<h3>Break history through the business dates up to this run’s</h3>\n`;
  s += `<table class="grid" id="history"><thead><tr><th>business date</th><th>run</th><th>register read at</th>`;
  s += `<th class="num">found</th><th class="num">new</th><th class="num">reappeared</th><th class="num">cleared</th>`;
  s += `<th class="num">open</th><th class="num">explained</th><th class="num">resolved</th></tr></thead><tbody>`;
  for (const d of history) {
    s +=
      `<tr><td>${h(d.businessDate)}</td><td class="mono">${h(d.runId)}</td><td class="mono time">${h(hk(d.moment))}</td>` +
      `<td class="num">${n(d.found)}</td><td class="num">${n(d.detected)}</td><td class="num">${n(d.reappeared)}</td>` +
      `<td class="num">${n(d.cleared)}</td><td class="num">${n(d.open)}</td><td class="num">${n(d.explained)}</td>` +
      `<td class="num">${n(d.resolved)}</td></tr>`;
  }
  s += `</tbody></table>\n<p class="note">One row per business date up to this run’s (at most the latest ${n(maxDays)}), `;
  s += `each stood for by its latest completed run up to this one, counting the reconciliations of this run only. `;
  s += `<strong>found</strong>: breaks that run found. <strong>new</strong>: breaks never seen before (opened in the register). `;
  s += `<strong>reappeared</strong>: breaks that had cleared and came back. <strong>cleared</strong>: breaks of earlier runs that run no longer found. `;
  s += `<strong>open</strong>, <strong>explained</strong>, <strong>resolved</strong>: breaks in the register in that status when that run had finished `;
  s += `(or at the as-of moment, if earlier), whatever date they were found on: open trade breaks of earlier dates count until someone explains or resolves them. `;
  s += `The new versus cleared chart counts new and reappeared together.</p>\n</section>\n`;
  return s;
}

function options(label: string, id: string): string {
  return `<label>${h(label)}<select id="${id}"><option value="">all</option></select></label>`;
}

const COLUMNS: readonly [string | null, string][] = [
  ['id', 'id'],
  ['recon', 'reconciliation'],
  ['kind', 'kind'],
  ['status', 'status'],
  ['triangulation', 'three-way'],
  ['account', 'account'],
  ['key', 'key'],
  [null, 'differences'],
  ['firstSeen', 'first seen'],
  ['age', 'age (business days)'],
];

/** The break table's shell: filters, pager, an empty body the page script fills, and the print list. */
export function tableShellHtml(total: number, printLimit: number): string {
  let s = `<section id="breaks-section" data-loading="true">\n<h2>Breaks</h2>\n`;
  s += `<noscript><p><strong>The break table needs JavaScript, which is off.</strong> breaks.csv and breaks.json hold the same breaks.</p></noscript>\n`;
  s += `<div class="controls screen-only" id="filters" role="search">`;
  s += options('reconciliation', 'f-recon') + options('kind', 'f-kind') + options('status', 'f-status');
  s += options('three-way', 'f-tri');
  s += `<label>found<select id="f-found"><option value="">all</option><option value="run">by this run</option>`;
  s += `<option value="cleared">cleared by this run</option><option value="carried">carried from earlier dates</option></select></label>`;
  s += `<label>account<input type="search" id="f-account" autocomplete="off" placeholder="e.g. M01"></label>`;
  s += `<label>text anywhere<input type="search" id="f-text" autocomplete="off" placeholder="trade no, series, file, value…"></label>`;
  s += `<button type="button" id="f-reset">Clear filters</button></div>\n`;
  s += `<div class="pager screen-only"><span id="breaks-status">Loading ${n(total)} breaks…</span>`;
  s += `<button type="button" id="page-first">« first</button><button type="button" id="page-prev">‹ previous</button>`;
  s += `<span id="page-label"></span><button type="button" id="page-next">next ›</button><button type="button" id="page-last">last »</button>`;
  s += `<label>per page <select id="page-size"><option>25</option><option selected>50</option><option>100</option><option>200</option></select></label></div>\n`;
  s += `<table class="breaks" id="breaks" data-total="${total}"><thead><tr>`;
  for (const [key, label] of COLUMNS) {
    s +=
      key === null
        ? `<th>${h(label)}</th>`
        : `<th data-sort="${key}"><button type="button">${h(label)}</button></th>`;
  }
  s += `</tr></thead><tbody id="breaks-body"></tbody></table>\n`;
  s += `<p class="note screen-only">Each break shows its records side by side with their source file and line; `;
  s += `fields that differ are highlighted. Click a column heading to sort, again to reverse. `;
  s += `<strong>three-way</strong>: where Genium, DCASS and BOS all speak to the break's account and instrument or trade `;
  s += `(the last Genium day), which source disagrees with the other two (<em>odd-genium</em>, <em>odd-dcass</em>, `;
  s += `<em>odd-bos</em>) or that all three differ (<em>all-differ</em>); a dash when the run had no three-way view.</p>\n`;
  s += `<div class="print-only" id="print-breaks" data-limit="${printLimit}"><p class="note" id="print-breaks-note"></p>`;
  s += `<table class="breaks grid"><thead><tr>`;
  for (const [, label] of COLUMNS) s += `<th>${h(label)}</th>`;
  s += `</tr></thead><tbody id="print-breaks-body"></tbody></table></div>\n</section>\n`;
  return s;
}

/** The provenance section's opening: inputs, rule set and run. */
export function provenanceHeadHtml(run: ReportRun, inputs: readonly InputFile[]): string {
  let s = `<section id="provenance">\n<h2>Provenance</h2>\n<h3>Input files</h3>\n`;
  s += `<table class="grid" id="inputs"><thead><tr><th>source</th><th>file</th><th>profile</th><th>business date</th>`;
  s += `<th>sha256</th><th class="num">rows</th><th class="num">rejected</th><th class="num">bytes</th>`;
  s += `<th>generated</th><th>loaded</th><th>complete by</th><th>read by</th></tr></thead><tbody>`;
  for (const f of inputs) {
    s +=
      `<tr><td>${h(f.source)}</td><td class="mono">${h(f.file)}</td><td>${h(f.profile)}</td><td>${h(f.businessDate)}</td>` +
      `<td class="mono hash">${h(f.sha256)}</td><td class="num">${n(f.rows)}</td><td class="num">${n(f.rejected)}</td>` +
      `<td class="num">${f.sizeBytes === null ? '' : n(Number(f.sizeBytes))}</td><td class="mono time">${h(hk(f.generatedAt))}</td>` +
      `<td class="mono time">${h(hk(f.loadedAt))}</td><td>${h(f.completeness)}</td>` +
      `<td>${h(f.usedBy.join(', '))}</td></tr>`;
  }
  if (inputs.length === 0) s += `<tr><td colspan="12">no input files</td></tr>`;
  s += `</tbody></table>\n<h3>Rule set and run</h3>\n<dl class="meta">`;
  s += `<dt>Rule set</dt><dd>${h(run.ruleSet.name)}</dd><dt>Rule set sha256</dt><dd class="mono hash">${h(run.ruleSet.sha256)}</dd>`;
  s += `<dt>Run id</dt><dd class="mono">${h(run.id)}</dd><dt>Started</dt><dd class="mono">${h(hk(run.startedAt))}</dd>`;
  s += `<dt>Finished</dt><dd class="mono">${h(hk(run.finishedAt))}</dd></dl>\n`;
  return s;
}

/** The rejected rows' heading and, when there are any, their table's opening (rows and REJECTED_END follow). */
export function rejectedHeadHtml(total: number, shown: number): string {
  const s = `<h3>Rejected rows of the input files</h3>\n`;
  if (total === 0) return `${s}<p id="rejected-none">No rejected rows.</p>\n`;
  return `${s}<p class="note">${n(total)} rejected row${total === 1 ? '' : 's'}${
    shown < total
      ? `; the first ${n(shown)} by file and line are listed (dcass-recon rejects lists them all)`
      : ''
  }.</p>\n<table class="grid" id="rejected"><thead><tr><th>file</th><th class="num">line</th><th>field</th><th>code</th><th>reason</th><th>raw text</th></tr></thead><tbody>`;
}

/** One rejected row of the table. */
export function rejectedRowHtml(r: RejectedRow): string {
  return (
    `<tr><td class="mono">${h(r.file)}</td><td class="num">${r.line}</td><td>${h(r.field)}</td>` +
    `<td class="mono">${h(r.code)}</td><td>${h(r.reason)}</td><td class="mono raw">${h(r.raw)}</td></tr>`
  );
}

/** The rejected rows table's end. */
export const REJECTED_END = '</tbody></table>\n';

/** Refused files (those recorded up to the run's end), then the section's end. */
export function refusedHtml(files: { rows: readonly RefusedFile[]; total: number }): string {
  let s = `<h3>Refused files</h3>\n`;
  if (files.total === 0)
    return `${s}<p id="refused-none">No file was refused up to the run’s end.</p>\n</section>\n`;
  s += `<p class="note">Files refused whole in this database up to the run’s end (any business date)`;
  s += files.rows.length < files.total ? `; the first ${n(files.rows.length)} of ${n(files.total)}` : '';
  s += `.</p>\n<table class="grid" id="refused"><thead><tr><th>refused at</th><th>source</th><th>file</th><th>sha256</th>`;
  s += `<th>code</th><th>reason</th><th class="num">line</th></tr></thead><tbody>`;
  for (const f of files.rows) {
    s +=
      `<tr><td class="mono time">${h(hk(f.refusedAt))}</td><td>${h(f.source)}</td><td class="mono">${h(f.file)}</td>` +
      `<td class="mono hash">${h(f.sha256)}</td><td class="mono">${h(f.code)}</td><td>${h(f.reason)}</td>` +
      `<td class="num">${f.line === null ? '' : f.line}</td></tr>`;
  }
  return `${s}</tbody></table>\n</section>\n`;
}

/**
 * The fallback re-input list: the post-trade transactions (give-ups, take-ups, transfers, close-outs)
 * of the upgraded platform from the cutover to the run's date, that a fallback to Genium INET would
 * require entering again.
 */
export function reinputHtml(args: {
  since: string | null;
  until: string;
  rows: readonly ReinputRow[];
  total: number;
}): string {
  let s = `<section id="reinput"><h2>Fallback re-input list</h2>\n`;
  if (args.since === null || args.since > args.until) {
    return `${s}<p id="reinput-none">No business date up to ${h(args.until)} is on the upgraded platform: nothing to re-input.</p>\n</section>\n`;
  }
  s += `<p class="note">Give-ups, take-ups, transfers and close-outs cleared on the upgraded platform from ${h(args.since)} to ${h(args.until)}`;
  s += `, from the DCASS trade reports in force: what a fallback to Genium INET would require entering again`;
  s += `. "Original on Genium" is the Genium INET number of the original trade where the migration seam paired it`;
  s +=
    args.rows.length < args.total
      ? `; the first ${n(args.rows.length)} of ${n(args.total)} (dcass-recon reinput writes them all)`
      : '';
  s += `.</p>\n`;
  if (args.total === 0) return `${s}<p id="reinput-none">None.</p>\n</section>\n`;
  s += `<table class="grid" id="reinput-list"><thead><tr><th>clearing date</th><th>type</th><th>account</th><th>series</th>`;
  s += `<th>side</th><th class="num">quantity</th><th class="num">price</th><th>trade no</th><th>original trade no</th><th>original on Genium</th><th>file:line</th></tr></thead><tbody>`;
  for (const r of args.rows) {
    s +=
      `<tr><td class="mono">${h(r.clearingDate)}</td><td>${h(r.tradeType)}</td><td>${h(r.account)}</td>` +
      `<td class="mono">${h(r.series)}</td><td>${h(r.side)}</td><td class="num">${h(r.quantity)}</td>` +
      `<td class="num">${h(r.price)}</td><td class="mono">${h(r.tradeNo)}</td><td class="mono">${h(r.origTradeNo)}</td>` +
      `<td class="mono">${h(r.origGeniumTradeNo)}</td><td class="mono">${h(r.file)}:${r.line}</td></tr>`;
  }
  return `${s}</tbody></table>\n</section>\n`;
}
