import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { byteProgress } from '../../src/cli/progress.js';

const MB = 1_000_000;

describe('the byte progress bar', () => {
  let written = '';
  const isTTY = process.stderr.isTTY;
  beforeEach(() => {
    written = '';
    // A terminal for the bar: cli-progress draws only on one.
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    });
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    Object.defineProperty(process.stderr, 'isTTY', { value: isTTY, configurable: true });
  });

  it('shows no estimate until there is a rate, then seconds left, and ends at 100%', () => {
    const total = 25.3 * MB; // not a whole number of MB: counted in MB, the bar stopped at 96%
    const bar = byteProgress(true);
    bar.update('TRD001_CABC_20190506.csv', 0, total);
    expect(written).toContain('0% 0/25 MB eta --');
    vi.advanceTimersByTime(2000);
    bar.update('TRD001_CABC_20190506.csv', 5 * MB, total);
    bar.stop();
    // 20.3 MB left at 2.5 MB/s.
    expect(written).toContain('19% 5/25 MB eta 9s');

    written = '';
    const again = byteProgress(true);
    again.update('TRD001_CABC_20190506.csv', 0, total);
    again.update('TRD001_CABC_20190506.csv', total, total);
    again.stop();
    expect(written).toContain('100% 25/25 MB eta 0s');
    expect(written).not.toMatch(/INF|NULL|NaN/);
  });
});
