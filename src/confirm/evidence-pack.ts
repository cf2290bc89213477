import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ConfirmationConfig } from '../config/config.js';
import type { Store } from '../db/connect.js';
import { csvRow } from '../report/breaks-csv.js';
import { writeReports, type ReportRenderer } from '../report/index.js';
import { breakTotals, type ReportRun } from '../report/run-data.js';
import { BREAK_STATUSES, type ClearingHouse } from '../model/vocabulary.js';
import { DcassError } from '../shared/errors.js';
import { makeFolder } from '../shared/folders.js';
import {
  acceptedWhat,
  writeConfirmationPdf,
  type AcceptedOpenBreaks,
  type ComparedRecords,
  type ConfirmationRunRef,
} from './confirmation-pdf.js';
import { openBreaksOfRun, type OpenBreaks } from './open-breaks.js';

/** The manifest's format name; a later layout gets a new number. */
export const EVIDENCE_PACK_FORMAT = 'dcass-recon-evidence-pack/1';
export const MANIFEST_FILE = 'manifest.json';
export const SHA256SUMS_FILE = 'SHA256SUMS';

/** What an evidence pack is built from. */
export interface EvidencePackOptions {
  /** The folder to create; it must not exist, or be empty. */
  readonly outDir: string;
  /** The completed runs the confirmation rests on. */
  readonly runs: readonly ReportRun[];
  /** The rule set files the runs used: each run's recorded sha256 must be one of theirs. */
  readonly ruleSetFiles: readonly string[];
  readonly confirmation: ConfirmationConfig;
  /** The audit chain's head hash before this confirmation; null when there is no audit trail. */
  readonly auditHeadHash: string | null;
  /** Open breaks accepted with a reason; without it a run with open breaks is refused. */
  readonly acceptOpen: { readonly reason: string; readonly actor: string } | null;
  /** Who prepared the pack. */
  readonly preparedBy: string;
  /** When: printed in the PDF and the pack; the same options give the same files. */
  readonly generatedAt: Date;
  /** The report formats written per run; every format of the registry (REPORT_RENDERERS) when absent. */
  readonly renderers?: readonly ReportRenderer[];
  /** Series root -> clearing house, for the reports of a run read for one house (ReportRun.house). */
  readonly products?: Readonly<Record<string, ClearingHouse>>;
}

/** One file of the pack as the manifest lists it. */
export interface ManifestEntry {
  /** Relative to the pack folder, with forward slashes. */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** A written pack. */
export interface EvidencePack {
  readonly dir: string;
  /** sha256 of manifest.json: one value that stands for every byte of the pack. */
  readonly manifestSha256: string;
  readonly files: readonly ManifestEntry[];
  /** Open breaks of the runs when the pack was written (accepted when above zero). */
  readonly openBreaks: number;
  readonly acceptedOpen: AcceptedOpenBreaks | null;
}

/** What `verifyEvidencePack` found. */
export interface EvidencePackCheck {
  readonly ok: boolean;
  readonly manifestSha256: string;
  /** Files the manifest lists that are checked and match. */
  readonly matched: number;
  /** Listed in the manifest, not in the folder. */
  readonly missing: readonly string[];
  /** In the folder, not listed (anything but a regular file counts here too). */
  readonly extra: readonly string[];
  /** Listed, present, but with other bytes. */
  readonly changed: readonly { path: string; expected: ManifestEntry; actual: ManifestEntry }[];
}

/**
 * Writes the evidence pack behind an Appendix E confirmation into a new folder: the confirmation PDF,
 * the input inventory (CSV and JSON), the rule set files, the runs with their break counts, the
 * audit head, the acceptance of open breaks if any, each run's break reports, then SHA256SUMS and
 * last manifest.json. It is built in a sibling folder and moved into place, so a failure leaves no
 * half pack. Refuses while a run has open breaks, unless they are accepted with a reason.
 */
export async function buildEvidencePack(store: Store, options: EvidencePackOptions): Promise<EvidencePack> {
  if (options.runs.length === 0) {
    throw new DcassError('USAGE', 'an evidence pack needs at least one reconciliation run', {
      hint: 'run one first: dcass-recon run --date YYYY-MM-DD',
    });
  }
  const outDir = path.resolve(options.outDir);
  checkTarget(outDir);
  const ruleSets = readRuleSets(options.runs, options.ruleSetFiles);

  const runs: RunFacts[] = [];
  for (const run of options.runs) {
    // A run read for one clearing house (ReportRun.house): its counts and open breaks are that house's.
    runs.push({
      run,
      totals: await breakTotals(store, run.id, { house: run.house }),
      open: await openBreaksOfRun(store, run.id, run.house),
    });
  }
  const openBreaks = runs.reduce((n, r) => n + r.open.total, 0);
  if (openBreaks > 0 && options.acceptOpen === null) throw openBreaksRefusal(runs);
  // The reason accepts open breaks and missing inputs alike (confirm refuses a missing input without it).
  const missingInputs = options.runs.reduce(
    (n, r) => n + new Set(r.missingInputs.map((m) => m.input)).size,
    0,
  );
  const acceptedOpen: AcceptedOpenBreaks | null =
    (openBreaks > 0 || missingInputs > 0) && options.acceptOpen
      ? { ...options.acceptOpen, openBreaks, missingInputs }
      : null;

  // Built beside the target (same disk, so the final rename is atomic) under a name of its own.
  makeFolder(path.dirname(outDir), 'the folder of the evidence pack');
  const work = mkdtempSync(path.join(path.dirname(outDir), `.${path.basename(outDir)}.partial-`));
  try {
    await writeConfirmationPdf(
      {
        confirmation: options.confirmation,
        runs: runs.map(runRef),
        auditHeadHash: options.auditHeadHash,
        acceptedOpen,
        preparedBy: options.preparedBy,
        generatedAt: options.generatedAt,
      },
      path.join(work, 'confirmation.pdf'),
    );
    writeInventory(work, options.runs);
    mkdirSync(path.join(work, 'rules'));
    for (const r of ruleSets) writeFileSync(path.join(work, r.packPath), r.bytes);
    writeJson(path.join(work, 'runs.json'), { runs: runs.map(runJson) });
    writeJson(path.join(work, 'pack.json'), {
      format: EVIDENCE_PACK_FORMAT,
      generatedAt: options.generatedAt.toISOString(),
      preparedBy: options.preparedBy,
      confirmation: options.confirmation,
      businessDates: [...new Set(options.runs.map((r) => r.businessDate))].sort(),
      runs: options.runs.map((r) => r.id),
      ruleSets: ruleSets.map((r) => ({ name: r.name, sha256: r.sha256, file: r.packPath })),
      auditHeadHash: options.auditHeadHash,
      openBreaks,
      acceptedOpen,
      missingInputs: options.runs.flatMap((r) => r.missingInputs.map((m) => ({ run: r.id, ...m }))),
    });
    if (acceptedOpen)
      writeFileSync(path.join(work, 'ACCEPTED-OPEN-BREAKS.txt'), acceptanceText(acceptedOpen, runs));
    for (const { run } of runs) {
      const dir = path.join(work, 'reports', `run-${run.id}`);
      mkdirSync(dir, { recursive: true });
      // A report prints the pack's time as its own: the same input gives the same pack.
      const house = run.house === null ? {} : { house: run.house.house };
      const products = options.products === undefined ? {} : { products: options.products };
      await writeReports(
        store,
        run.id,
        dir,
        { now: options.generatedAt, ...house, ...products },
        options.renderers,
      );
    }
    // SHA256SUMS covers every file but itself and the manifest; the manifest, written last, covers
    // everything else, SHA256SUMS included.
    const listed = await hashTree(work);
    writeFileSync(path.join(work, SHA256SUMS_FILE), listed.map((e) => `${e.sha256}  ${e.path}\n`).join(''));
    const files = await hashTree(work);
    const generatedAt = options.generatedAt.toISOString();
    const manifest = `${JSON.stringify({ format: EVIDENCE_PACK_FORMAT, generatedAt, files }, null, 2)}\n`;
    writeFileSync(path.join(work, MANIFEST_FILE), manifest);
    if (existsSync(outDir)) rmdirSync(outDir); // empty: checkTarget saw to it
    renameSync(work, outDir);
    return {
      dir: outDir,
      manifestSha256: createHash('sha256').update(manifest).digest('hex'),
      files,
      openBreaks,
      acceptedOpen,
    };
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    if (err instanceof DcassError) throw err;
    throw new DcassError('USAGE', `cannot write the evidence pack ${outDir}: ${(err as Error).message}`, {
      hint: 'choose an output folder on a disk you can write to, with room to spare',
      cause: err,
    });
  }
}

const manifestSchema = z.object({
  format: z.literal(EVIDENCE_PACK_FORMAT),
  files: z.array(
    z.strictObject({
      // Relative, forward slashes, never leaving the pack.
      path: z
        .string()
        .min(1)
        .refine(
          (p) =>
            !p.startsWith('/') &&
            !p.includes('\\') &&
            !p.split('/').some((s) => s === '..' || s === '' || s === '.'),
          'a path inside the pack',
        ),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      bytes: z.number().int().nonnegative(),
    }),
  ),
});

/** Checks every file of a pack against its manifest: missing, extra and changed files. */
export async function verifyEvidencePack(dir: string): Promise<EvidencePackCheck> {
  const manifestFile = path.join(dir, MANIFEST_FILE);
  let text: Buffer;
  try {
    text = readFileSync(manifestFile);
  } catch (cause) {
    throw new DcassError('USAGE', `no ${MANIFEST_FILE} in ${dir}`, {
      hint: 'give the folder `dcass-recon confirm --out` wrote',
      cause,
    });
  }
  let parsed: z.infer<typeof manifestSchema>;
  try {
    parsed = manifestSchema.parse(JSON.parse(text.toString('utf8')));
  } catch (cause) {
    throw new DcassError(
      'USAGE',
      `${manifestFile} is not an evidence pack manifest (${EVIDENCE_PACK_FORMAT})`,
      {
        location: { file: manifestFile },
        hint: 'the manifest itself was changed or is not from dcass-recon: the pack cannot be trusted',
        cause,
      },
    );
  }
  const actual = new Map((await hashTree(dir, { skip: MANIFEST_FILE })).map((e) => [e.path, e]));
  const missing: string[] = [];
  const changed: { path: string; expected: ManifestEntry; actual: ManifestEntry }[] = [];
  let matched = 0;
  for (const expected of parsed.files) {
    const found = actual.get(expected.path);
    actual.delete(expected.path);
    if (found === undefined) missing.push(expected.path);
    else if (found.sha256 !== expected.sha256 || found.bytes !== expected.bytes)
      changed.push({ path: expected.path, expected, actual: found });
    else matched++;
  }
  const extra = [...actual.keys()];
  return {
    ok: missing.length === 0 && extra.length === 0 && changed.length === 0,
    manifestSha256: createHash('sha256').update(text).digest('hex'),
    matched,
    missing,
    extra,
    changed,
  };
}

interface RunFacts {
  readonly run: ReportRun;
  readonly totals: { byStatus: Record<string, number>; byKind: Record<string, number> };
  readonly open: OpenBreaks;
}

interface RuleSetCopy {
  readonly name: string;
  readonly sha256: string;
  readonly bytes: Buffer;
  readonly packPath: string;
}

function checkTarget(outDir: string): void {
  if (!existsSync(outDir)) return;
  const st = lstatSync(outDir);
  if (!st.isDirectory() || readdirSync(outDir).length > 0) {
    throw new DcassError('USAGE', `${outDir} exists and is not an empty folder`, {
      hint: 'give a new folder: an evidence pack is never written over anything',
    });
  }
}

// The bytes that go into the pack are the bytes hashed, so the copy is the file the run recorded.
function readRuleSets(runs: readonly ReportRun[], files: readonly string[]): RuleSetCopy[] {
  const bySha = new Map<string, { file: string; bytes: Buffer }>();
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (cause) {
      throw new DcassError('CONFIG_NOT_FOUND', `cannot read the rule set ${file}`, {
        hint: 'give the rule set file the runs used (--rules)',
        cause,
      });
    }
    bySha.set(createHash('sha256').update(bytes).digest('hex'), { file, bytes });
  }
  const copies = new Map<string, RuleSetCopy>();
  for (const run of runs) {
    const found = bySha.get(run.ruleSet.sha256);
    if (found === undefined) {
      throw new DcassError(
        'USAGE',
        `run ${run.id} used rule set ${run.ruleSet.name} with sha256 ${run.ruleSet.sha256}, and no given rule set file has those bytes (${files.join(', ') || 'none given'})`,
        {
          hint: 'give the rule set file the run used with --rules, or run the date again with the rule set you have',
        },
      );
    }
    if (!copies.has(run.ruleSet.sha256)) {
      const base = path.basename(found.file);
      const taken = [...copies.values()].some((c) => c.packPath === `rules/${base}`);
      const packPath = taken ? `rules/${run.ruleSet.sha256.slice(0, 12)}-${base}` : `rules/${base}`;
      copies.set(run.ruleSet.sha256, {
        name: run.ruleSet.name,
        sha256: run.ruleSet.sha256,
        bytes: found.bytes,
        packPath,
      });
    }
  }
  return [...copies.values()];
}

function openBreaksRefusal(runs: readonly RunFacts[]): DcassError {
  const lines = runs
    .filter((r) => r.open.total > 0)
    .map(
      (r) =>
        `run ${r.run.id} (business date ${r.run.businessDate}): ${r.open.total} open (` +
        Object.entries(r.open.byRecon)
          .map(([recon, n]) => `${recon} ${n}`)
          .join(', ') +
        `); ${STATUS_LINE(r.totals.byStatus)}`,
    );
  const total = runs.reduce((n, r) => n + r.open.total, 0);
  return new DcassError(
    'USAGE',
    `${total} break${total === 1 ? ' is' : 's are'} still open; no confirmation written\n  ${lines.join('\n  ')}`,
    {
      hint:
        `see them with dcass-recon report --run ${runs.find((r) => r.open.total > 0)!.run.id} --out DIR; explain or resolve them and run the date again, ` +
        'or confirm anyway with --accept-open "reason" (the reason is printed in the confirmation and the pack, and recorded in the audit trail)',
    },
  );
}

const STATUS_LINE = (byStatus: Record<string, number>): string =>
  BREAK_STATUSES.map((s) => `${s} ${byStatus[s] ?? 0}`).join(', ');

function runRef(r: RunFacts): ConfirmationRunRef {
  return {
    id: r.run.id,
    businessDate: r.run.businessDate,
    ruleSet: r.run.ruleSet,
    recons: r.run.recons,
    startedAt: r.run.startedAt,
    finishedAt: r.run.finishedAt,
    byStatus: r.totals.byStatus,
    compared: comparedOf(r.run),
    missingInputs: r.run.missingInputs,
  };
}

/** Per reconciliation of a run, the records of each side it compared, or why it compared none. */
function comparedOf(run: ReportRun): ComparedRecords[] {
  return run.recons.map((recon): ComparedRecords => {
    const c = run.counts[recon];
    if (c?.incomplete) return { recon, state: 'incomplete', why: c.incomplete };
    if (c?.skipped) return { recon, state: 'skipped', why: c.skipped };
    return {
      recon,
      state: 'compared',
      left: Number(c?.leftRecords ?? 0),
      right: Number(c?.rightRecords ?? 0),
    };
  });
}

function runJson(r: RunFacts): Record<string, unknown> {
  return {
    id: r.run.id,
    businessDate: r.run.businessDate,
    ruleSet: r.run.ruleSet,
    recons: r.run.recons,
    startedAt: r.run.startedAt,
    finishedAt: r.run.finishedAt,
    breaks: r.totals.byStatus,
    byKind: r.totals.byKind,
    open: r.open,
    counts: r.run.counts,
    compared: comparedOf(r.run),
    missingInputs: r.run.missingInputs,
  };
}

const INVENTORY_COLUMNS = [
  'run',
  'business_date',
  'source',
  'file',
  'sha256',
  'rows',
  'rejected',
  'used_by',
  'state',
  'detail',
] as const;

/**
 * inputs.json and inputs.csv: every input file the runs read (state `loaded`), then every expected
 * input a run did not have (state `missing` or `refused`, no file), with the reconciliation it kept
 * from running as `used_by`.
 */
function writeInventory(dir: string, runs: readonly ReportRun[]): void {
  const rows = runs.flatMap((run) => [
    ...run.inputs.map((i) => ({
      run: run.id,
      businessDate: run.businessDate,
      source: i.source,
      file: i.file as string | null,
      sha256: i.sha256 as string | null,
      rows: i.rows as number | null,
      rejected: i.rejected as number | null,
      usedBy: i.usedBy,
      state: 'loaded',
      detail: null as string | null,
    })),
    ...run.missingInputs.map((m) => ({
      run: run.id,
      businessDate: run.businessDate,
      source: m.source,
      file: null,
      sha256: null,
      rows: null,
      rejected: null,
      usedBy: [m.recon],
      state: m.state,
      detail: `${m.input}: ${m.detail}`,
    })),
  ]);
  writeJson(path.join(dir, 'inputs.json'), { inputs: rows });
  writeFileSync(
    path.join(dir, 'inputs.csv'),
    csvRow(INVENTORY_COLUMNS) +
      rows
        .map((r) =>
          csvRow([
            r.run,
            r.businessDate,
            r.source,
            r.file,
            r.sha256,
            r.rows,
            r.rejected,
            r.usedBy.join('; '),
            r.state,
            r.detail,
          ]),
        )
        .join(''),
  );
}

function acceptanceText(a: AcceptedOpenBreaks, runs: readonly RunFacts[]): string {
  return [
    'ACCEPTED: OPEN BREAKS AND MISSING INPUTS',
    '',
    `When this confirmation was prepared: ${acceptedWhat(a)}.`,
    `Accepted by: ${a.actor}`,
    `Reason: ${a.reason}`,
    '',
    ...runs
      .filter((r) => r.open.total > 0)
      .map(
        (r) =>
          `run ${r.run.id} (business date ${r.run.businessDate}): ${r.open.total} open; breaks in reports/run-${r.run.id}/`,
      ),
    '',
  ].join('\n');
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Every entry below `dir` (sorted by path, forward slashes) with sha256 and size, streamed. */
async function hashTree(dir: string, options: { skip?: string } = {}): Promise<ManifestEntry[]> {
  const names = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((n) => n.split(path.sep).join('/'))
    .filter((n) => n !== options.skip)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: ManifestEntry[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    const st = lstatSync(full);
    if (st.isDirectory()) continue;
    if (!st.isFile()) {
      // A link or device is never followed: it shows as a file with no content of its own.
      out.push({ path: name, sha256: '', bytes: -1 });
      continue;
    }
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(full)) hash.update(chunk as Buffer);
    out.push({ path: name, sha256: hash.digest('hex'), bytes: st.size });
  }
  return out;
}
