import { mkdirSync } from 'node:fs';
import { DcassError, formatLocation, isDcassError } from '../index.js';

/** The CLI's printing module: the one place that writes to stdout and stderr directly. */
export const out = {
  line(text = ''): void {
    process.stdout.write(`${text}\n`);
  },
  json(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  },
  warn(text: string): void {
    process.stderr.write(`${text}\n`);
  },
};

/** Prints an error for a person: what, where, what to do; a stack only for bugs and only with --verbose. */
export function printError(err: unknown, verbose: boolean): void {
  if (isDcassError(err)) {
    out.warn(`error: ${err.message}`);
    const where = formatLocation(err.location);
    if (where && !err.message.includes(where)) out.warn(`  at: ${where}`);
    if (err.hint) out.warn(`  what to do: ${err.hint}`);
    if (verbose && err.cause) out.warn(`  cause: ${String((err.cause as Error).message ?? err.cause)}`);
    return;
  }
  const e = err as Error;
  out.warn(`internal error: ${e?.message ?? String(err)}`);
  out.warn(verbose ? String(e?.stack ?? '') : '  (run again with --verbose for details; please report this)');
}

/**
 * Text from data (file names, reasons) made safe to print on a terminal: control characters, which
 * could move the cursor or rewrite earlier lines, are shown as \\u escapes.
 */
export function safeText(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A plain text table with left-aligned columns. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: readonly string[]) =>
    r
      .map((c, i) => (c ?? '').padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

/** Creates a command's output folder (and its parents); a clear error when it cannot be written. */
export function ensureOutDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new DcassError('USAGE', `cannot create the output folder ${dir}`, {
      hint: 'choose a folder you can write to',
      cause: err,
    });
  }
}
