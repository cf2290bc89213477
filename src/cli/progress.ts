import cliProgress from 'cli-progress';
import { onInterrupt } from './interrupt.js';
import { safeText } from './output.js';

/** Seconds of reading before an estimate is shown: the first chunks say little about the rate. */
const ETA_AFTER_MS = 1000;

/** A byte progress bar on stderr, shown only on a terminal and only for files worth waiting for. */
export function byteProgress(enabled: boolean, minBytes = 8 * 1024 * 1024) {
  const show = enabled && process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | null = null;
  let current = '';
  let currentRead = false;
  let started = 0;
  let forgetInterrupt = (): void => undefined;
  const stop = (): void => {
    bar?.stop();
    bar = null;
    current = '';
    forgetInterrupt();
  };
  return {
    update(file: string, bytes: number, total: number): void {
      if (!show || total < minBytes) return;
      if (current !== file) {
        // Two files may be read at once: one bar, the file shown until it is read, then the next.
        if (bar !== null && !currentRead) return;
        stop();
        current = file;
        started = Date.now();
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            // A file name is data: escaped like every other value printed (and its braces kept out of
            // the bar's placeholders).
            format: `${safeText(file).replaceAll('{', '(').replaceAll('}', ')')} [{bar}] {percentage}% {done}/{size} MB eta {etaText}`,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        // Counted in bytes, shown in MB: a bar counted in whole MB (bytes rounded down against the
        // size rounded up) stopped at 96% on a file that was read to its end.
        bar.start(total, 0, { done: '0', size: megabytes(total), etaText: '--' });
        // Ctrl-C: the bar's own stop shows the cursor and turns line wrap back on.
        forgetInterrupt = onInterrupt(stop);
      }
      currentRead = bytes >= total;
      bar?.update(bytes, { done: megabytes(bytes), etaText: eta(bytes, total, Date.now() - started) });
    },
    stop,
  };
}

const megabytes = (bytes: number): string => (bytes / 1e6).toFixed(0);

/** Seconds left at the rate so far; "--" until there is a rate to speak of (never "INF"). */
function eta(bytes: number, total: number, elapsedMs: number): string {
  if (bytes >= total) return '0s';
  if (bytes === 0 || elapsedMs < ETA_AFTER_MS) return '--';
  return `${Math.ceil(((total - bytes) * elapsedMs) / bytes / 1000)}s`;
}
