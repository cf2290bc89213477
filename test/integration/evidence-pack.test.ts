import { REPORT_RENDERERS, type ReportRenderer } from '../../src/report/renderers.js';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEvidencePack,
  verifyEvidencePack,
  type EvidencePackOptions,
} from '../../src/confirm/evidence-pack.js';
import { latestRunOfDate } from '../../src/confirm/confirm-run.js';
import { openBreaksOfRun } from '../../src/confirm/open-breaks.js';
import { loadBuiltinRuleSet } from '../../src/reconcile/rule-set.js';
import { runReconciliation } from '../../src/reconcile/run.js';
import type { ReportRun } from '../../src/report/run-data.js';
import { builtinPath } from '../../src/shared/package-root.js';
import { createTestDb, dbKind, type TestDb } from '../support/db.js';
import { fixtureRequests, ingest } from '../support/ingest.js';
import { readPdfText, testConfirmation } from '../support/confirmation.js';

const confirmation = testConfirmation(['Lee Ka Yan']);

const sha256sumAvailable = (() => {
  try {
    execFileSync('sha256sum', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe(`the evidence pack (${dbKind})`, () => {
  let t: TestDb;
  const work = mkdtempSync(path.join(tmpdir(), 'dcass-pack-'));
  const ruleSet = loadBuiltinRuleSet();
  let clean: ReportRun; // 3 May, BOS reconciliations: nothing open
  let open: ReportRun; // 10 May: B7 open, B6 explained
  const options = (outDir: string, over: Partial<EvidencePackOptions> = {}): EvidencePackOptions => ({
    outDir: path.join(work, outDir),
    runs: [clean],
    ruleSetFiles: [builtinPath('rules', 'default.yaml')],
    confirmation,
    auditHeadHash: 'e5'.repeat(32),
    acceptOpen: null,
    preparedBy: 'ops.lead',
    generatedAt: new Date('2019-05-05T03:15:00Z'),
    ...over,
  });

  beforeAll(async () => {
    t = await createTestDb();
    await ingest(t.store, fixtureRequests());
    await runReconciliation(t.store, {
      businessDate: '2019-05-03',
      ruleSet,
      recons: ['trades-bos', 'positions-bos'],
    });
    await runReconciliation(t.store, {
      businessDate: '2019-05-10',
      ruleSet,
      recons: ['trades-bos', 'positions-bos'],
    });
    clean = await latestRunOfDate(t.store, '2019-05-03');
    open = await latestRunOfDate(t.store, '2019-05-10');
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('open breaks of a run: counted per reconciliation', async () => {
    expect(await openBreaksOfRun(t.store, clean.id)).toEqual({ total: 0, byRecon: {} });
    expect(await openBreaksOfRun(t.store, open.id)).toEqual({ total: 1, byRecon: { 'trades-bos': 1 } });
  });

  it('a clean run: every file written, the manifest verifies, sha256sum -c agrees', async () => {
    const pack = await buildEvidencePack(t.store, options('clean'));
    expect(pack.openBreaks).toBe(0);
    expect(pack.acceptedOpen).toBeNull();
    expect(pack.files.map((f) => f.path)).toEqual([
      'SHA256SUMS',
      'confirmation.pdf',
      'inputs.csv',
      'inputs.json',
      'pack.json',
      `reports/run-${clean.id}/breaks.csv`,
      `reports/run-${clean.id}/breaks.html`,
      `reports/run-${clean.id}/breaks.json`,
      'rules/default.yaml',
      'runs.json',
    ]);
    const check = await verifyEvidencePack(pack.dir);
    expect(check).toEqual({
      ok: true,
      manifestSha256: pack.manifestSha256,
      matched: 10,
      missing: [],
      extra: [],
      changed: [],
    });
    // The rule set copied is the run's, byte for byte.
    const rules = pack.files.find((f) => f.path === 'rules/default.yaml')!;
    expect(rules.sha256).toBe(clean.ruleSet.sha256);
    expect(readFileSync(path.join(pack.dir, 'rules/default.yaml'))).toEqual(
      readFileSync(builtinPath('rules', 'default.yaml')),
    );
    if (sha256sumAvailable) {
      const out = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: pack.dir, encoding: 'utf8' });
      expect(out.trim().split('\n')).toHaveLength(9);
      expect(out).not.toMatch(/FAILED/);
    }
  });

  it('the inventory lists every input file of the run with source, sha256, rows and rejects', async () => {
    const pack = await buildEvidencePack(
      t.store,
      options('inventory', { runs: [clean, open], acceptOpen: { reason: 'B7 known', actor: 'ops.lead' } }),
    );
    const json = JSON.parse(readFileSync(path.join(pack.dir, 'inputs.json'), 'utf8')) as {
      inputs: { run: string; source: string; file: string; sha256: string; rows: number; rejected: number }[];
    };
    expect(json.inputs).toHaveLength(clean.inputs.length + open.inputs.length);
    expect(json.inputs.find((i) => i.file === 'BOS_TRADES_CABC_20190510.csv')).toMatchObject({
      run: open.id,
      source: 'bos',
      rows: 20,
      rejected: 0,
    });
    for (const i of json.inputs) expect(i.sha256).toMatch(/^[0-9a-f]{64}$/);
    const csv = parse(readFileSync(path.join(pack.dir, 'inputs.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(csv.map((r) => [r.run, r.file, r.sha256, r.rows, r.rejected])).toEqual(
      json.inputs.map((i) => [i.run, i.file, i.sha256, String(i.rows), String(i.rejected)]),
    );
    // Both runs' reports; the pack summary names both dates and both runs.
    expect(pack.files.map((f) => f.path)).toEqual(
      expect.arrayContaining([`reports/run-${clean.id}/breaks.json`, `reports/run-${open.id}/breaks.json`]),
    );
    const summary = JSON.parse(readFileSync(path.join(pack.dir, 'pack.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(summary).toMatchObject({
      businessDates: ['2019-05-03', '2019-05-10'],
      runs: [clean.id, open.id],
      auditHeadHash: 'e5'.repeat(32),
      openBreaks: 1,
      acceptedOpen: { reason: 'B7 known', actor: 'ops.lead', openBreaks: 1 },
      ruleSets: [{ name: 'default', sha256: clean.ruleSet.sha256, file: 'rules/default.yaml' }],
    });
  });

  it('open breaks are refused with the counts, and nothing is written', async () => {
    const dir = path.join(work, 'refused');
    await expect(buildEvidencePack(t.store, options('refused', { runs: [open] }))).rejects.toThrow(
      new RegExp(
        `1 break is still open; no confirmation written\\n  run ${open.id} \\(business date 2019-05-10\\): 1 open \\(trades-bos 1\\); open 1, explained 1`,
      ),
    );
    expect(() => readFileSync(path.join(dir, 'manifest.json'))).toThrow();
    expect(readdirSync(work).filter((n) => n.includes('.partial'))).toEqual([]);
  });

  it('accepted open breaks: the reason is in the pack, its runs and its acceptance file', async () => {
    const pack = await buildEvidencePack(
      t.store,
      options('accepted', {
        runs: [open],
        acceptOpen: { reason: 'B7: BOS duplicate row, fixed Monday', actor: 'chan.tai.man' },
      }),
    );
    expect(pack.acceptedOpen).toEqual({
      reason: 'B7: BOS duplicate row, fixed Monday',
      actor: 'chan.tai.man',
      openBreaks: 1,
      missingInputs: 0,
    });
    const accepted = readFileSync(path.join(pack.dir, 'ACCEPTED-OPEN-BREAKS.txt'), 'utf8');
    expect(accepted).toContain('Reason: B7: BOS duplicate row, fixed Monday');
    expect(accepted).toContain('Accepted by: chan.tai.man');
    const runs = JSON.parse(readFileSync(path.join(pack.dir, 'runs.json'), 'utf8')) as {
      runs: { id: string; breaks: Record<string, number>; open: { total: number } }[];
    };
    expect(runs.runs[0]).toMatchObject({
      id: open.id,
      breaks: { open: 1, explained: 1 },
      open: { total: 1 },
    });
    const breaks = JSON.parse(
      readFileSync(path.join(pack.dir, `reports/run-${open.id}/breaks.json`), 'utf8'),
    ) as {
      breaks: unknown[];
    };
    expect(breaks.breaks).toHaveLength(2);
    expect((await verifyEvidencePack(pack.dir)).ok).toBe(true);
  });

  it('what the result rests on: records compared per reconciliation, and a missing input in the inventory, runs, pack and PDF', async () => {
    // 7 May with the BOS positions recorded missing, as a run records it (run.ts): positions-bos incomplete.
    const summary = await runReconciliation(t.store, {
      businessDate: '2019-05-07',
      ruleSet,
      recons: ['trades-bos', 'positions-bos'],
    });
    const missing = {
      recon: 'positions-bos',
      side: 'right',
      input: 'bos-positions',
      source: 'BOS',
      entity: 'positions',
      businessDate: '2019-05-07',
      state: 'missing',
      detail: 'no BOS positions file is loaded for 2019-05-07',
    };
    await sql`UPDATE recon_run SET missing_inputs = ${JSON.stringify([missing])}::jsonb,
        counts = jsonb_set(counts, '{positions-bos,incomplete}', to_jsonb(${'bos-positions missing'}::text))
      WHERE id = ${summary.runId}::bigint`.execute(t.store.db);
    const gap = await latestRunOfDate(t.store, '2019-05-07');
    const pack = await buildEvidencePack(
      t.store,
      options('missing', { runs: [clean, gap], acceptOpen: { reason: 'known', actor: 'ops.lead' } }),
    );
    const csv = parse(readFileSync(path.join(pack.dir, 'inputs.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(csv.filter((r) => r.state === 'loaded')).toHaveLength(clean.inputs.length + gap.inputs.length);
    expect(csv.filter((r) => r.state !== 'loaded')).toEqual([
      {
        run: gap.id,
        business_date: '2019-05-07',
        source: 'BOS',
        file: '',
        sha256: '',
        rows: '',
        rejected: '',
        used_by: 'positions-bos',
        state: 'missing',
        detail: 'bos-positions: no BOS positions file is loaded for 2019-05-07',
      },
    ]);
    const runs = JSON.parse(readFileSync(path.join(pack.dir, 'runs.json'), 'utf8')) as {
      runs: { id: string; compared: unknown[]; missingInputs: unknown[] }[];
    };
    const cleanCounts = clean.counts['trades-bos']!;
    expect(runs.runs[0]!.compared).toEqual([
      {
        recon: 'trades-bos',
        state: 'compared',
        left: cleanCounts.leftRecords,
        right: cleanCounts.rightRecords,
      },
      {
        recon: 'positions-bos',
        state: 'compared',
        left: clean.counts['positions-bos']!.leftRecords,
        right: clean.counts['positions-bos']!.rightRecords,
      },
    ]);
    expect(cleanCounts.leftRecords).toBeGreaterThan(0);
    expect(runs.runs[1]).toMatchObject({
      id: gap.id,
      compared: [
        { recon: 'trades-bos', state: 'compared' },
        { recon: 'positions-bos', state: 'incomplete', why: 'bos-positions missing' },
      ],
      missingInputs: [missing],
    });
    const packJson = JSON.parse(readFileSync(path.join(pack.dir, 'pack.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(packJson.missingInputs).toEqual([{ run: gap.id, ...missing }]);
    const pdf = await readPdfText(path.join(pack.dir, 'confirmation.pdf'));
    const text = pdf.text.replace(/\s+/g, ' ');
    // The records compared per reconciliation, as a table: run, reconciliation, left, right.
    expect(text).toContain(`${clean.id} trades-bos ${cleanCounts.leftRecords} ${cleanCounts.rightRecords}`);
    expect(text).toContain(`${gap.id} positions-bos - - INCOMPLETE: bos-positions missing`);
    expect(text).toContain(
      'MISSING INPUTS bos-positions (BOS positions, 2019-05-07) missing, blocked positions-bos',
    );
  });

  it('the same inputs give the same pack, byte for byte (manifest sha256 equal)', async () => {
    const a = await buildEvidencePack(t.store, options('same-a'));
    const b = await buildEvidencePack(t.store, options('same-b'));
    expect(b.manifestSha256).toBe(a.manifestSha256);
    // The HTML report is in it, written as of the pack's moment.
    const html = readFileSync(path.join(a.dir, `reports/run-${clean.id}/breaks.html`), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    // As of the pack's moment, shown in Hong Kong time.
    expect(html).toContain('2019-05-05 11:15:00 +08:00');
  });

  it('a changed, a missing and an extra file are each reported', async () => {
    const pack = await buildEvidencePack(t.store, options('tampered'));
    appendFileSync(path.join(pack.dir, 'inputs.csv'), '9,2019-05-03,bos,EXTRA.csv,0,1,0,\r\n');
    rmSync(path.join(pack.dir, 'rules/default.yaml'));
    writeFileSync(path.join(pack.dir, 'reports', 'note.txt'), 'added later');
    const check = await verifyEvidencePack(pack.dir);
    expect(check.ok).toBe(false);
    expect(check.missing).toEqual(['rules/default.yaml']);
    expect(check.extra).toEqual(['reports/note.txt']);
    expect(check.changed.map((c) => c.path)).toEqual(['inputs.csv']);
    expect(check.changed[0]!.actual.bytes).toBeGreaterThan(check.changed[0]!.expected.bytes);
    expect(check.matched).toBe(8);
  });

  it('a changed manifest is refused; a folder without one is named', async () => {
    const pack = await buildEvidencePack(t.store, options('bad-manifest'));
    const file = path.join(pack.dir, 'manifest.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as { files: { path: string }[] };
    m.files[0]!.path = '../outside';
    writeFileSync(file, JSON.stringify(m));
    await expect(verifyEvidencePack(pack.dir)).rejects.toThrow(/is not an evidence pack manifest/);
    await expect(verifyEvidencePack(work)).rejects.toThrow(/no manifest\.json in/);
  });

  it('another report format is one more renderer', async () => {
    const extra: ReportRenderer = {
      format: 'note',
      fileName: 'report.html',
      write: async (_store, run, file) => {
        writeFileSync(file, `<p>run ${run}</p>`);
        return { format: 'note', path: file, runId: run, breaks: 0, carried: 0 };
      },
    };
    const pack = await buildEvidencePack(
      t.store,
      options('writers', { renderers: [...REPORT_RENDERERS, extra] }),
    );
    expect(pack.files.map((f) => f.path)).toContain(`reports/run-${clean.id}/report.html`);
    expect((await verifyEvidencePack(pack.dir)).ok).toBe(true);
  });

  it('a writer failing half way leaves no pack and no partial folder behind', async () => {
    const failing: ReportRenderer = {
      format: 'failing',
      fileName: 'failing.txt',
      write: async () => {
        throw new Error('disk full (simulated)');
      },
    };
    await expect(
      buildEvidencePack(t.store, options('failed', { renderers: [...REPORT_RENDERERS, failing] })),
    ).rejects.toThrow(/cannot write the evidence pack .*failed: disk full \(simulated\)/);
    expect(existsSync(path.join(work, 'failed'))).toBe(false);
    expect(readdirSync(work).filter((n) => n.includes('.partial'))).toEqual([]);
  });

  it('refuses a rule set file other than the run used, and a folder that is not empty', async () => {
    const other = path.join(work, 'other-rules.yaml');
    writeFileSync(other, `${readFileSync(builtinPath('rules', 'default.yaml'), 'utf8')}\n# edited\n`);
    await expect(
      buildEvidencePack(t.store, options('wrong-rules', { ruleSetFiles: [other] })),
    ).rejects.toThrow(
      new RegExp(
        `run ${clean.id} used rule set default with sha256 ${clean.ruleSet.sha256}, and no given rule set file`,
      ),
    );
    const full = path.join(work, 'full');
    mkdirSync(full);
    writeFileSync(path.join(full, 'keep.txt'), 'mine');
    await expect(buildEvidencePack(t.store, options('full'))).rejects.toThrow(
      /exists and is not an empty folder/,
    );
    expect(readFileSync(path.join(full, 'keep.txt'), 'utf8')).toBe('mine');
    // An empty folder is fine.
    mkdirSync(path.join(work, 'empty'));
    expect((await buildEvidencePack(t.store, options('empty'))).files.length).toBe(10);
  });
});
