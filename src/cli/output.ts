import { formatLocation, isDcassError } from '../index.js';
import { makeFolder } from '../shared/folders.js';

/**
 * The CLI's printing module: the one place that writes to stdout and stderr directly. Every line goes
 * through safeText, so a value a command did not escape still cannot drive the terminal; only the
 * newlines the command itself put between lines are kept.
 */
export const out = {
  line(text = ''): void {
    process.stdout.write(`${safeLines(text)}\n`);
  },
  // JSON.stringify escapes only U+0000-U+001F; safeText's \uXXXX escapes of the rest (DEL, C1, bidi
  // and invisible format characters) are JSON escapes too, so the output parses to the same values.
  json(value: unknown): void {
    process.stdout.write(`${safeLines(JSON.stringify(value, null, 2))}\n`);
  },
  warn(text: string): void {
    process.stderr.write(`${safeLines(text)}\n`);
  },
};

/**
 * Shows the cursor and turns line wrap back on (DECTCEM, DECAWM), as they were before a progress bar
 * hid the one and turned off the other; written only to a terminal.
 */
export function restoreTerminal(): void {
  if (process.stderr.isTTY) process.stderr.write('\x1b[?25h\x1b[?7h');
}

const safeLines = (text: string): string => text.split('\n').map(safeText).join('\n');

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
 * Characters a terminal or a reader could be fooled by: control characters (C0, DEL and C1: ESC and
 * CSI sequences retitle, clear or rewrite the screen; CR and backspace overwrite what was printed),
 * format characters (bidi embeddings, overrides and isolates reorder what is shown; zero-width spaces
 * and joiners, soft hyphen, BOM and tag characters are invisible, so two different values look alike)
 * and the line and paragraph separators.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * The one function every value from data (file names, reasons, raw text, keys, actors, comments)
 * passes through before it is printed on a terminal: each unsafe character is shown as its \uXXXX
 * escape (UTF-16 units, as in JSON), so the operator sees exactly what the file holds and nothing in
 * it can drive the terminal. Applying it twice changes nothing.
 */
export function safeText(text: string): string {
  return text.replace(UNSAFE, (c) =>
    // split('') yields UTF-16 units: a character beyond U+FFFF becomes its surrogate pair, as in JSON.
    c
      .split('')
      .map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .join(''),
  );
}

/** A count with its noun, singular for one: "1 break", "2 breaks", plural(3, 'entry', 'entries'). */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}

/** A plain text table with left-aligned columns; every cell (data, mostly) is passed through safeText. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const safeRows = rows.map((r) => r.map((c) => safeText(c ?? '')));
  const widths = headers.map((h, i) => Math.max(h.length, ...safeRows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: readonly string[]) =>
    r
      .map((c, i) => (c ?? '').padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '-'.repeat(w))), ...safeRows.map(fmt)].join('\n');
}

/**
 * Creates a command's output folder (and its parents), or fails at once with the operating system's
 * reason: every command that writes files checks its folder here before any work.
 */
export function ensureOutDir(dir: string): void {
  makeFolder(dir, 'the output folder');
}
