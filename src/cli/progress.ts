import cliProgress from 'cli-progress';
import { safeText } from './output.js';

/** A byte progress bar on stderr, shown only on a terminal and only for files worth waiting for. */
export function byteProgress(enabled: boolean, minBytes = 8 * 1024 * 1024) {
  const show = enabled && process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | null = null;
  let current = '';
  return {
    update(file: string, bytes: number, total: number): void {
      if (!show || total < minBytes) return;
      if (current !== file) {
        bar?.stop();
        current = file;
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            // A file name is data: escaped like every other value printed (and its braces kept out of
            // the bar's placeholders).
            format: `${safeText(file).replaceAll('{', '(').replaceAll('}', ')')} [{bar}] {percentage}% {value}/{total} MB eta {eta}s`,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.ceil(total / 1e6), 0);
      }
      bar?.update(Math.floor(bytes / 1e6));
    },
    stop(): void {
      bar?.stop();
      bar = null;
      current = '';
    },
  };
}
