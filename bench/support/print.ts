/** Plain-text output of the benchmarks: numbers as people read them, and aligned tables. */

/** 1234567 -> `1,234,567`. */
export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Peak RSS from KiB to MiB, `n/a` when it was not measured. */
export const mib = (kib: number | null): string => (kib === null ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);

/** A table with a rule under the head; the first column left-aligned, the others right-aligned. */
export function table(head: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    widths
      .map((w, i) => (i === 0 ? (cells[i] ?? '').padEnd(w) : (cells[i] ?? '').padStart(w)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
