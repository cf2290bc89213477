/** Bench data: the seeded synthetic data set of scripts/generate, one file per layout, streamed to disk. */
import { join } from 'node:path';
import { writeAccountMap } from '../../scripts/generate/bos.js';
import { fileNameOf, syntheticAccountMap, writeLayout, type Layout } from '../../scripts/generate/layouts.js';
import { StreamSink } from '../../scripts/generate/sink.js';
import type { SyntheticOptions } from '../../scripts/generate/synthetic.js';

/** The options every bench file of one size is generated with (a Monday: a trading day of the 2019 calendar). */
export function benchOptions(rows: number, seed: number): SyntheticOptions {
  return { seed: seed >>> 0, date: '20190506', participant: 'CABC', rows, diffRate: 0 };
}

/** Writes one layout into `dir` under its FORMATS.md name; returns its path and record count. */
export async function writeBenchFile(
  dir: string,
  layout: Layout,
  opts: SyntheticOptions,
): Promise<{ path: string; records: number }> {
  const path = join(dir, fileNameOf(layout, opts));
  const sink = StreamSink.toFile(path);
  const records = await writeLayout(sink, layout, opts, false);
  await sink.close();
  return { path, records };
}

/** The account map of the synthetic client codes (BOS trades are mapped through it). */
export async function writeBenchAccountMap(
  dir: string,
  opts: SyntheticOptions,
): Promise<{ path: string; records: number }> {
  const path = join(dir, `ACCOUNT_MAP_${opts.participant}.csv`);
  const sink = StreamSink.toFile(path);
  const records = await writeAccountMap(sink, syntheticAccountMap(opts));
  await sink.close();
  return { path, records };
}
