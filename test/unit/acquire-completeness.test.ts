import { describe, expect, it } from 'vitest';
import { profileSchema } from '../../src/config/profile.js';
import { sftpConfigSchema } from '../../src/config/sftp-config.js';
import { markerName, settle, type SettleItem } from '../../src/ingest/acquire/completeness.js';
import type { SourceEntry, SourceListing } from '../../src/ingest/acquire/report-source.js';
import { silentLogger } from '../../src/shared/logger.js';

const at = (s: number) => new Date(Date.UTC(2019, 4, 6, 15, 0, s));
const file = (name: string, size: number, mtime = at(0)): SourceEntry => ({
  name,
  path: `/CABC/INBOX/20190506/${name}`,
  kind: 'file',
  size,
  mtime,
});
const listing = (...entries: SourceEntry[]): SourceListing => ({ folder: '/CABC/INBOX/20190506', entries });
const item = (entry: SourceEntry, marker: string | null = null): SettleItem<string> => ({
  entry,
  marker,
  data: entry.name,
});

/** Listings served one after the other, the last repeated. */
function listings(...sequence: SourceListing[]): {
  relist: () => Promise<SourceListing>;
  calls: () => number;
} {
  let n = 0;
  return {
    relist: () => Promise.resolve(sequence[Math.min(n++, sequence.length - 1)]!),
    calls: () => n,
  };
}

describe('markerName', () => {
  it('fills {name} and {stem}', () => {
    expect(markerName('{name}.done', 'POS001_CABC_20190506_2310.csv')).toBe(
      'POS001_CABC_20190506_2310.csv.done',
    );
    expect(markerName('{stem}.ok', 'POS001_CABC_20190506_2310.csv')).toBe('POS001_CABC_20190506_2310.ok');
  });
});

describe('settle', () => {
  const rule = { stableMs: 1, maxWaitMs: 1_000 };
  const signal = new AbortController().signal;

  it('takes a file once two listings in a row show the same size and mtime', async () => {
    const growing = file('POS.csv', 10);
    const src = listings(listing(file('POS.csv', 20, at(1))), listing(file('POS.csv', 30, at(2))));
    const s = await settle([item(growing)], rule, listing(growing), src.relist, signal, silentLogger);
    expect(s.waiting).toEqual([]);
    expect(s.ready.map((r) => [r.entry.size, r.completeness])).toEqual([[30, 'stable']]);
    // 10 -> 20 -> 30 -> 30: three more listings.
    expect(src.calls()).toBe(3);
  });

  it('leaves a file still growing at maxWaitMs waiting, with the reason', async () => {
    let size = 0;
    const relist = () => Promise.resolve(listing(file('POS.csv', ++size)));
    const s = await settle(
      [item(file('POS.csv', 0))],
      { stableMs: 5, maxWaitMs: 30 },
      listing(file('POS.csv', 0)),
      relist,
      signal,
      silentLogger,
    );
    expect(s.ready).toEqual([]);
    expect(s.waiting.map((w) => [w.code, w.reason])).toEqual([
      [
        'REMOTE_FILE_GROWING',
        'POS.csv was still changing after 30 ms (still being written); left for the next fetch',
      ],
    ]);
  });

  it('with stableMs 0 takes files as listed, unverified', async () => {
    const src = listings();
    const s = await settle(
      [item(file('POS.csv', 10))],
      { stableMs: 0, maxWaitMs: 0 },
      listing(file('POS.csv', 10)),
      src.relist,
      signal,
      silentLogger,
    );
    expect(s.ready.map((r) => r.completeness)).toEqual([null]);
    expect(src.calls()).toBe(0);
  });

  it('takes a marked file once its marker is listed, and reports a file gone', async () => {
    const pos = file('POS.csv', 10);
    const trd = file('TRD.csv', 10);
    const src = listings(listing(pos, file('POS.csv.done', 0)));
    const s = await settle(
      [item(pos, 'POS.csv.done'), item(trd)],
      rule,
      listing(pos, trd),
      src.relist,
      signal,
      silentLogger,
    );
    expect(s.ready.map((r) => [r.item.data, r.completeness])).toEqual([['POS.csv', 'marker']]);
    expect(s.waiting.map((w) => [w.item.data, w.code])).toEqual([['TRD.csv', 'REMOTE_FILE_GONE']]);
  });

  it('a marker that never comes leaves the file waiting', async () => {
    const pos = file('POS.csv', 10);
    const s = await settle(
      [item(pos, 'POS.csv.done')],
      { stableMs: 0, maxWaitMs: 0 },
      listing(pos),
      listings().relist,
      signal,
      silentLogger,
    );
    expect(s.waiting.map((w) => w.reason)).toEqual([
      'POS.csv is not marked complete yet (no POS.csv.done beside it); left for the next fetch',
    ]);
  });
});

describe('configuration', () => {
  it('sftp.completeness defaults to 5000 ms stable, 120000 ms at most, and accepts 0', () => {
    const base = {
      host: 'h',
      username: 'u',
      privateKeyFile: 'k',
      hostKeyFingerprints: [`SHA256:${'A'.repeat(43)}`],
      participant: 'CABC',
      inboxDir: 'i',
    };
    expect(sftpConfigSchema.parse(base).completeness).toEqual({ stableMs: 5_000, maxWaitMs: 120_000 });
    expect(sftpConfigSchema.parse({ ...base, completeness: { stableMs: 0 } }).completeness).toEqual({
      stableMs: 0,
      maxWaitMs: 120_000,
    });
    expect(sftpConfigSchema.safeParse({ ...base, completeness: { stableMs: -1 } }).success).toBe(false);
  });

  it('a profile marker is a file name template with {name} or {stem}', () => {
    const shape = profileSchema.shape.completeness;
    expect(shape.safeParse({ marker: '{name}.done' }).success).toBe(true);
    expect(shape.safeParse({ marker: 'done/{name}' }).success).toBe(false);
    expect(shape.safeParse({ marker: 'ready.flag' }).success).toBe(false);
    expect(shape.safeParse({ marker: '{name}' }).success).toBe(false);
  });
});
