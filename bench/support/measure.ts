/**
 * Runs a command as a child process and measures it from outside: wall time (hrtime around the
 * spawn) and the child's peak resident set, read by GNU time (`/usr/bin/time -f %M`, KiB) from
 * the kernel's rusage of the waited-for process. The numbers are the child's own, not this
 * process's.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';

/** What one measured run gave. */
export interface Measured {
  readonly seconds: number;
  /** Peak RSS in KiB, or null when GNU time is not installed. */
  readonly maxRssKiB: number | null;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** True when peak RSS can be measured here. */
export const canMeasureRss = (): boolean => existsSync(GNU_TIME);

/** Runs `command args...` (in `cwd`, with `env` added), waits for it, and measures it. */
export async function measure(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Measured> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const rssFile = join(scratch, 'maxrss');
  const withTime = canMeasureRss();
  const [cmd, argv] = withTime
    ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]]
    : [command, [...args]];
  const started = process.hrtime.bigint();
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(cmd, argv, {
          cwd: opts.cwd ?? process.cwd(),
          env: { ...process.env, ...opts.env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
        child.on('error', reject);
        child.on('close', (c) => resolve({ code: c ?? -1, stdout: out, stderr: err }));
      },
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    let maxRssKiB: number | null = null;
    if (withTime) {
      // GNU time writes "Command exited with non-zero status N" before the number on failure.
      const last = readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '';
      maxRssKiB = /^\d+$/.test(last) ? Number(last) : null;
    }
    return { seconds, maxRssKiB, code, stdout, stderr };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
