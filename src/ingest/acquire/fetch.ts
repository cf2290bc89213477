import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { resolveActor } from '../../audit/actor.js';
import { DEFAULT_FETCH_COMPLETENESS } from '../../config/sftp-config.js';
import { parseBusinessDate } from '../../model/dates.js';
import { DcassError, isDcassError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import {
  markerName,
  sameVersion,
  settle,
  type ArrivalCompleteness,
  type SettleItem,
  type StabilityRule,
} from './completeness.js';
import { commitDownload, removeStaleTemps, tempPathIn } from './inbox.js';
import type { FetchManifest } from './manifest.js';
import { printable, validateRemoteName } from './remote-name.js';
import type { ReportSource, SourceEntry, SourceListing } from './report-source.js';
import { compileReportPatterns, matchReport } from './report-patterns.js';
import { sleep } from './watchdog.js';

/** What happened to one file of the listing; `deferred`: still being written, left for the next fetch. */
export type FetchOutcome = 'fetched' | 'skipped' | 'refused' | 'failed' | 'deferred';

/** One file's line in the summary (and its manifest row). */
export interface FetchFileResult {
  readonly outcome: FetchOutcome;
  /** The name as listed, escaped for display when it is hostile. */
  readonly name: string;
  readonly remotePath: string;
  readonly reportId: string | null;
  readonly size: number | null;
  readonly mtime: Date | null;
  readonly sha256: string | null;
  readonly localPath: string | null;
  readonly generation: number | null;
  readonly attempts: number;
  readonly code: string | null;
  readonly reason: string | null;
  /** How a fetched file was seen complete: its marker listed, or unchanged over the interval. */
  readonly completeness: ArrivalCompleteness;
}

/** The result of one fetch: every file with its outcome, plus what the configuration wanted but did not find. */
export interface FetchSummary {
  readonly runId: string;
  readonly origin: string;
  /** ISO business date. */
  readonly businessDate: string;
  readonly folder: string;
  /** True when nothing failed or was refused and every selected report had at least one file. */
  readonly ok: boolean;
  readonly fetched: readonly FetchFileResult[];
  readonly skipped: readonly FetchFileResult[];
  readonly refused: readonly FetchFileResult[];
  readonly failed: readonly FetchFileResult[];
  /** Files still being written (or not yet marked complete): not taken, the next fetch takes them. */
  readonly deferred: readonly FetchFileResult[];
  /** Selected report ids with no file in the folder, or only files still being written. */
  readonly missingReports: readonly string[];
  /** Valid names that match no selected report (left alone). */
  readonly ignored: readonly string[];
  /** Plain-language remarks (an empty folder, a missing report) for the person running it. */
  readonly notes: readonly string[];
  readonly bytesFetched: number;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/** Progress of a fetch, for a progress bar. */
export type FetchProgress =
  | { readonly kind: 'planned'; readonly files: number; readonly bytes: number }
  | { readonly kind: 'bytes'; readonly name: string; readonly transferred: number; readonly size: number }
  | { readonly kind: 'file'; readonly result: FetchFileResult };

/** Everything `fetchReports` needs; the source is closed when it returns. */
export interface FetchReportsOptions {
  readonly source: ReportSource;
  readonly manifest: FetchManifest;
  readonly participant: string;
  /** Business date, `YYYY-MM-DD` or `YYYYMMDD`. */
  readonly date: string;
  /** Name templates per report id (see report-patterns.ts). */
  readonly reports: Readonly<Record<string, string>>;
  /** Report ids to fetch; all configured ones when absent. */
  readonly only?: readonly string[];
  readonly inboxDir: string;
  readonly totalMs: number;
  readonly retries: { readonly count: number; readonly backoffMs: number };
  readonly concurrency: number;
  /** How long remote files must stay unchanged before they are taken (default: sftp.completeness's). */
  readonly completeness?: StabilityRule;
  /** The marker template (`{name}.done`) a file's profile declares, if any: the file is taken once it is listed. */
  readonly markerFor?: (name: string) => string | undefined;
  readonly logger: Logger;
  /** Who the audit trail records as fetching; the operating-system user when absent. */
  readonly actor?: string;
  readonly onProgress?: (event: FetchProgress) => void;
}

interface Wanted {
  readonly entry: SourceEntry;
  readonly reportId: string;
}

/** A wanted file seen complete, and the generation it is fetched as. */
type ToFetch = Wanted & { generation: number; completeness: ArrivalCompleteness };

/** One fetch in progress: its options, identity, log, overall deadline, and the recorder of outcomes. */
interface FetchRun {
  readonly options: FetchReportsOptions;
  readonly runId: string;
  readonly iso: string;
  readonly compact: string;
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly results: FetchFileResult[];
  readonly record: (r: FetchFileResult) => Promise<void>;
}

/**
 * Fetches one business date's reports from a source into the inbox: validates names, skips files
 * already fetched (same size and mtime), downloads the rest atomically with retries, and records
 * every decision in the manifest. Connection-level refusals (host key, authentication, missing
 * folder) throw a DcassError; per-file failures are in the summary.
 */
export async function fetchReports(options: FetchReportsOptions): Promise<FetchSummary> {
  const { source } = options;
  const startedAt = new Date();
  const { compact, iso } = fetchDateForms(options.date);
  const runId = randomUUID();
  const actor = options.actor ?? resolveActor();
  const log = options.logger.child({ runId, origin: source.origin, businessDate: iso });
  const selected = selectReports(options.reports, options.only);
  const matchers = compileReportPatterns(selected, options.participant, compact);
  const deadline = new AbortController();
  const timer = setTimeout(() => {
    log.warn({ totalMs: options.totalMs }, 'overall fetch time limit reached, aborting');
    deadline.abort();
    source.abort();
  }, options.totalMs);
  const run: FetchRun = {
    options,
    runId,
    iso,
    compact,
    log,
    signal: deadline.signal,
    results: [],
    record: (r) => recordOutcome(run, r),
  };
  try {
    await removeStaleTemps(options.inboxDir, compact);
    const relist = () =>
      withRetries(options, source, deadline.signal, log, 'listing', () => source.list(compact));
    const listing = await relist();
    const { wanted, ignored } = await sortListing(run, listing, matchers);
    const { toFetch, markers } = await readyToFetch(run, wanted, listing, relist);
    options.onProgress?.({
      kind: 'planned',
      files: toFetch.length,
      bytes: toFetch.reduce((n, w) => n + w.entry.size, 0),
    });
    await fetchAll(run, toFetch);
    const summary = summarise(run, selected, listing, {
      // A marker beside its data file is part of it, not a stray name.
      ignored: ignored.filter((n) => !markers.has(n)),
      startedAt,
    });
    await options.manifest.audit?.(fetchRunEvent(actor, summary));
    return summary;
  } catch (err) {
    // A fetch refused at the connection (host key, authentication, missing folder) is recorded too.
    await options.manifest
      .audit?.(fetchFailedEvent(actor, run, err))
      .catch((auditErr: unknown) =>
        log.error({ err: auditErr }, 'cannot record the failed fetch in the audit trail'),
      );
    throw err;
  } finally {
    clearTimeout(timer);
    await source.close();
  }
}

/** Keeps a file's outcome for the summary, writes its manifest row, reports and logs it. */
async function recordOutcome(run: FetchRun, r: FetchFileResult): Promise<void> {
  const { options } = run;
  run.results.push(r);
  await options.manifest.record({
    run_id: run.runId,
    origin: options.source.origin,
    participant: options.participant,
    business_date: run.iso,
    report_id: r.reportId,
    remote_path: r.remotePath,
    file_name: r.name,
    size_bytes: r.size === null ? null : String(r.size),
    remote_mtime: r.mtime,
    sha256: r.sha256,
    local_path: r.localPath,
    generation: r.generation,
    outcome: r.outcome,
    code: r.code,
    reason: r.reason,
    attempts: r.attempts,
    completeness: r.completeness,
  });
  options.onProgress?.({ kind: 'file', result: r });
  const level = r.outcome === 'fetched' || r.outcome === 'skipped' ? 'info' : 'warn';
  run.log[level](
    { file: r.name, outcome: r.outcome, code: r.code, reason: r.reason, bytes: r.size, sha256: r.sha256 },
    'fetch file outcome',
  );
}

/**
 * The listing in name order, sorted into the files of a wanted report, the valid names of no wanted
 * report (left alone), and the refused: an unsafe name, or a wanted name that is not a regular file.
 */
async function sortListing(
  run: FetchRun,
  listing: SourceListing,
  matchers: ReturnType<typeof compileReportPatterns>,
): Promise<{ wanted: Wanted[]; ignored: string[] }> {
  const wanted: Wanted[] = [];
  const ignored: string[] = [];
  for (const entry of [...listing.entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const verdict = validateRemoteName(entry.name);
    const shownPath = `${listing.folder}/${printable(entry.name)}`;
    if (!verdict.ok) {
      await run.record(
        refusedResult(entry, shownPath, null, `REMOTE_NAME_${verdict.problem.toUpperCase()}`, verdict.reason),
      );
      continue;
    }
    const reportId = matchReport(matchers, entry.name);
    if (reportId === undefined) {
      ignored.push(entry.name);
      continue;
    }
    if (entry.kind !== 'file') {
      await run.record(
        refusedResult(
          entry,
          shownPath,
          reportId,
          'REMOTE_NOT_A_FILE',
          `${entry.name} is a ${entry.kind}, not a regular file`,
        ),
      );
      continue;
    }
    wanted.push({ entry, reportId });
  }
  return { wanted, ignored };
}

/**
 * The wanted files to fetch, each with its generation, once complete. Files already fetched as listed
 * are skipped at once; the others wait until they are complete (deferred when they never are), and
 * are decided again as they then are. Also the marker names of the wanted files.
 */
async function readyToFetch(
  run: FetchRun,
  wanted: readonly Wanted[],
  listing: SourceListing,
  relist: () => Promise<SourceListing>,
): Promise<{ toFetch: ToFetch[]; markers: ReadonlySet<string> }> {
  const { options } = run;
  const { manifest, source } = options;
  const withMarkers = wanted.map((w): SettleItem<Wanted> => {
    const template = options.markerFor?.(w.entry.name);
    return {
      entry: w.entry,
      marker: template === undefined ? null : markerName(template, w.entry.name),
      data: w,
    };
  });
  const candidates: SettleItem<Wanted>[] = [];
  for (const item of withMarkers) {
    if ((await generationToFetch(manifest, source.origin, item.data, run.record)) !== null)
      candidates.push(item);
  }
  const settled = await settle(
    candidates,
    options.completeness ?? DEFAULT_FETCH_COMPLETENESS,
    listing,
    relist,
    run.signal,
    run.log,
  );
  for (const w of settled.waiting) {
    await run.record(deferredResult(w.item.entry, w.item.data.reportId, w.code, w.reason));
  }
  const toFetch: ToFetch[] = [];
  for (const { item, entry, completeness } of settled.ready) {
    const w = { entry, reportId: item.data.reportId };
    const generation = await generationToFetch(manifest, source.origin, w, run.record);
    if (generation !== null) toFetch.push({ ...w, generation, completeness });
  }
  const markers = new Set(withMarkers.flatMap((m) => (m.marker === null ? [] : [m.marker])));
  return { toFetch, markers };
}

/** Downloads the files, `concurrency` at a time, recording each outcome. */
async function fetchAll(run: FetchRun, toFetch: readonly ToFetch[]): Promise<void> {
  const { options } = run;
  const queue = [...toFetch];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      await run.record(await fetchOne(options, options.source, run.signal, run.log, run.compact, next));
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency, toFetch.length)) }, worker),
  );
}

/** The fetch's summary from its recorded outcomes: each outcome in name order, missing reports, notes. */
function summarise(
  run: FetchRun,
  selected: Readonly<Record<string, string>>,
  listing: SourceListing,
  rest: { readonly ignored: readonly string[]; readonly startedAt: Date },
): FetchSummary {
  const { results, iso } = run;
  const present = new Set(
    results.filter((r) => r.outcome !== 'refused' && r.outcome !== 'deferred').map((r) => r.reportId),
  );
  const missingReports = Object.keys(selected).filter((id) => !present.has(id));
  const notes: string[] = [];
  if (listing.entries.length === 0) {
    notes.push(`the folder ${listing.folder} is empty: nothing has been published for ${iso} yet`);
  }
  for (const id of missingReports) {
    notes.push(
      results.some((r) => r.reportId === id && r.outcome === 'deferred')
        ? `the ${id} file for ${iso} is still being written: fetch again later`
        : `no ${id} file for ${iso} in ${listing.folder} (expected names like ${selected[id] ?? ''})`,
    );
  }
  const by = (o: FetchOutcome) =>
    results.filter((r) => r.outcome === o).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const failed = by('failed');
  const refused = by('refused');
  return {
    runId: run.runId,
    origin: run.options.source.origin,
    businessDate: iso,
    folder: listing.folder,
    ok: failed.length === 0 && refused.length === 0 && missingReports.length === 0,
    fetched: by('fetched'),
    skipped: by('skipped'),
    refused,
    failed,
    deferred: by('deferred'),
    missingReports,
    ignored: rest.ignored.map(printable),
    notes,
    bytesFetched: by('fetched').reduce((n, r) => n + (r.size ?? 0), 0),
    startedAt: rest.startedAt,
    finishedAt: new Date(),
  };
}

/** The audit event of a fetch refused on the way (host key, authentication, missing folder), with what it had done. */
function fetchFailedEvent(actor: string, run: FetchRun, err: unknown) {
  return {
    actor,
    action: 'fetch.failed',
    subject: `fetch:${run.iso}`,
    details: {
      runId: run.runId,
      origin: run.options.source.origin,
      businessDate: run.iso,
      code: isDcassError(err) ? err.code : null,
      message: err instanceof Error ? err.message : String(err),
      files: run.results.map((r) => ({ name: r.name, outcome: r.outcome, sha256: r.sha256, code: r.code })),
    },
  };
}

/** The audit event of a fetch run: what came (with sha256), what was skipped, refused or failed, and why. */
function fetchRunEvent(actor: string, s: FetchSummary) {
  const file = (r: FetchFileResult) => ({
    name: r.name,
    reportId: r.reportId,
    sha256: r.sha256,
    size: r.size,
    generation: r.generation,
    localPath: r.localPath,
    code: r.code,
    reason: r.reason,
    completeness: r.completeness,
  });
  return {
    actor,
    action: 'fetch.completed',
    subject: `fetch:${s.businessDate}`,
    details: {
      runId: s.runId,
      origin: s.origin,
      businessDate: s.businessDate,
      folder: s.folder,
      ok: s.ok,
      fetched: s.fetched.map(file),
      skipped: s.skipped.map(file),
      refused: s.refused.map(file),
      failed: s.failed.map(file),
      deferred: s.deferred.map(file),
      missingReports: [...s.missingReports],
      bytesFetched: s.bytesFetched,
      startedAt: s.startedAt.toISOString(),
      finishedAt: s.finishedAt.toISOString(),
    },
  };
}

/** Accepts `YYYY-MM-DD` or `YYYYMMDD`; returns both forms. */
export function fetchDateForms(date: string): { compact: string; iso: string } {
  // YYYYMMDD, as RRS names its folders, is written out; the day is checked by the one date parser.
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(date.trim());
  const iso = parseBusinessDate(m === null ? date : `${m[1]}-${m[2]}-${m[3]}`);
  return { compact: iso.replaceAll('-', ''), iso };
}

function selectReports(
  reports: Readonly<Record<string, string>>,
  only: readonly string[] | undefined,
): Record<string, string> {
  if (only === undefined || only.length === 0) return { ...reports };
  const unknown = only.filter((id) => reports[id] === undefined);
  if (unknown.length > 0) {
    throw new DcassError('USAGE', `unknown report id ${unknown.join(', ')}`, {
      hint: `configured reports: ${Object.keys(reports).join(', ')} (sftp.reports)`,
    });
  }
  return Object.fromEntries(only.map((id) => [id, reports[id]!]));
}

/**
 * The generation to fetch a file as, or null when this version (same size and mtime) was fetched
 * before and its local copy is intact: then it is recorded as skipped.
 */
async function generationToFetch(
  manifest: FetchManifest,
  origin: string,
  w: Wanted,
  record: (r: FetchFileResult) => Promise<void>,
): Promise<number | null> {
  const { entry } = w;
  const versions = await manifest.fetchedVersions(origin, entry.path);
  const same = versions.find((v) => sameVersion(v, entry));
  if (same === undefined) return versions.reduce((g, v) => Math.max(g, v.generation), 0) + 1;
  const local = await stat(same.localPath).catch(() => undefined);
  // The local copy was removed or damaged: fetch the same version into its old place.
  if (local?.size !== same.size) return same.generation;
  await record({
    outcome: 'skipped',
    name: entry.name,
    remotePath: entry.path,
    reportId: w.reportId,
    size: same.size,
    mtime: same.mtime,
    sha256: same.sha256,
    localPath: same.localPath,
    generation: same.generation,
    attempts: 0,
    code: null,
    reason: 'already fetched with the same size and modification time',
    completeness: null,
  });
  return null;
}

async function fetchOne(
  options: FetchReportsOptions,
  source: ReportSource,
  signal: AbortSignal,
  log: Logger,
  date: string,
  item: Wanted & { generation: number; completeness: ArrivalCompleteness },
): Promise<FetchFileResult> {
  const { entry, reportId } = item;
  let attempts = 0;
  const base = { name: entry.name, remotePath: entry.path, reportId };
  for (;;) {
    attempts++;
    const temp = await tempPathIn(options.inboxDir, date);
    try {
      const read = await source.download(entry, temp, (transferred) =>
        options.onProgress?.({ kind: 'bytes', name: entry.name, transferred, size: entry.size }),
      );
      // Taken only as the version seen complete, unchanged until the last byte was read.
      if (!sameVersion(entry, read) || !sameVersion(read, await source.stat(entry))) {
        await rm(temp, { force: true });
        return deferredResult(
          entry,
          reportId,
          'REMOTE_FILE_GROWING',
          `${entry.name} changed while it was fetched (still being written); left for the next fetch`,
          attempts,
        );
      }
      const committed = await commitDownload(temp, read.size, {
        inboxDir: options.inboxDir,
        date,
        name: entry.name,
        generation: item.generation,
      });
      return {
        ...base,
        outcome: 'fetched',
        size: committed.size,
        mtime: read.mtime,
        sha256: committed.sha256,
        localPath: committed.localPath,
        generation: committed.generation,
        attempts,
        code: null,
        reason: null,
        completeness: item.completeness,
      };
    } catch (err) {
      await rm(temp, { force: true });
      const final = signal.aborted || attempts > options.retries.count || !isRetryable(source, err);
      const error = signal.aborted ? overallTimeout(options.totalMs, err) : err;
      if (final) {
        return {
          ...base,
          outcome: 'failed',
          size: entry.size,
          mtime: entry.mtime,
          sha256: null,
          localPath: null,
          generation: null,
          attempts,
          code: isDcassError(error) ? error.code : 'SFTP_TRANSFER_FAILED',
          reason: error instanceof Error ? error.message : String(error),
          completeness: null,
        };
      }
      const wait = options.retries.backoffMs * 2 ** (attempts - 1);
      log.warn({ file: entry.name, attempt: attempts, waitMs: wait, err }, 'transfer failed, retrying');
      await sleep(wait, signal);
    }
  }
}

async function withRetries<T>(
  options: FetchReportsOptions,
  source: ReportSource,
  signal: AbortSignal,
  log: Logger,
  what: string,
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (signal.aborted) throw overallTimeout(options.totalMs, err);
      if (attempt > options.retries.count || !isRetryable(source, err)) throw err;
      const wait = options.retries.backoffMs * 2 ** (attempt - 1);
      log.warn({ what, attempt, waitMs: wait, err }, 'source call failed, retrying');
      await sleep(wait, signal);
    }
  }
}

function isRetryable(source: ReportSource, err: unknown): boolean {
  // A local inbox problem (disk full, permissions) does not get better by asking again.
  if (isDcassError(err) && err.code === 'ACQUIRE_INBOX_FAILED') return false;
  return source.isTransient(err);
}

function overallTimeout(totalMs: number, cause: unknown): DcassError {
  return new DcassError(
    'SFTP_TIMEOUT',
    `the fetch took longer than its overall limit of ${totalMs} ms and was aborted`,
    {
      location: { path: 'sftp.timeouts.totalMs' },
      hint: 'run it again (files already fetched are skipped) or raise sftp.timeouts.totalMs',
      cause,
    },
  );
}

/** A file not taken: nothing of it is kept, only what was listed and why. */
function notTaken(
  outcome: 'refused' | 'deferred',
  entry: SourceEntry,
  name: string,
  shownPath: string,
  reportId: string | null,
  code: string,
  reason: string,
  attempts = 0,
): FetchFileResult {
  return {
    outcome,
    name,
    remotePath: shownPath,
    reportId,
    size: entry.size,
    mtime: entry.mtime,
    sha256: null,
    localPath: null,
    generation: null,
    attempts,
    code,
    reason,
    completeness: null,
  };
}

/** A refused remote name (unsafe, or of no wanted report). */
function refusedResult(
  entry: SourceEntry,
  shownPath: string,
  reportId: string | null,
  code: string,
  reason: string,
): FetchFileResult {
  return notTaken('refused', entry, printable(entry.name), shownPath, reportId, code, reason);
}

/** A file not taken this time because it is still being written. */
function deferredResult(
  entry: SourceEntry,
  reportId: string,
  code: string,
  reason: string,
  attempts = 0,
): FetchFileResult {
  return notTaken('deferred', entry, entry.name, entry.path, reportId, code, reason, attempts);
}
