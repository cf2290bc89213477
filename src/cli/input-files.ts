import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DcassError, type IngestRequest, type SOURCES } from '../index.js';
import type { CliContext } from './context.js';

type Source = (typeof SOURCES)[number];

/** Every file of the input folders the configuration names (`ingest --all`, `verify`, `demo`). */
export function configuredInputs(ctx: CliContext): IngestRequest[] {
  const inputs = Object.entries(ctx.config.inputs);
  if (inputs.length === 0) {
    throw new DcassError('USAGE', 'no input folders are configured', {
      hint: 'add inputs: { genium, dcass, bos } to the configuration, or name files',
    });
  }
  return inputs.flatMap(([source, dir]) =>
    expandPath(dir).map((p) => ({ path: p, source: source as Source })),
  );
}

/** A folder becomes its files (recursively, sorted, hidden files and READMEs left out); a file stays itself. */
export function expandPath(p: string): string[] {
  let st;
  try {
    st = statSync(p);
  } catch {
    return [p]; // reported as unreadable, with the name, by ingest
  }
  if (!st.isDirectory()) return [p];
  return readdirSync(p, { recursive: true, encoding: 'utf8' })
    .filter(
      (n) => !n.split(path.sep).some((part) => part.startsWith('.')) && !/README/i.test(path.basename(n)),
    )
    .map((n) => path.join(p, n))
    .filter((f) => statSync(f).isFile())
    .sort();
}
