import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'vitest';
import { cliCommandLine } from './cli.js';

const PTY_RUN = path.resolve(import.meta.dirname, 'pty-run.py');
const ENABLE_HINT =
  'install python3 (its pty module drives the terminal); set DCASS_REQUIRE_PTY=1 to make it fail the run instead of skipping';

function ptyAvailability(): { ok: true } | { ok: false; reason: string } {
  const probe = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' });
  if (probe.error) return { ok: false, reason: 'python3 not found' };
  return probe.status === 0 ? { ok: true } : { ok: false, reason: "python3 has no 'pty' module" };
}

/** `describe` for the terminal tests: run where a pseudo-terminal can be driven, else skipped with a message. */
export function describeWithPty(name: string, body: () => void): void {
  const availability = ptyAvailability();
  if (availability.ok) {
    describe(name, body);
  } else if (process.env.DCASS_REQUIRE_PTY === '1') {
    describe(name, () => {
      it('needs python3 with its pty module', () => {
        throw new Error(`DCASS_REQUIRE_PTY=1 but ${availability.reason}; ${ENABLE_HINT}`);
      });
    });
  } else {
    process.stderr.write(`[terminal tests skipped] ${name}: ${availability.reason}; ${ENABLE_HINT}\n`);
    describe.skip(`${name} (skipped: ${availability.reason}; ${ENABLE_HINT})`, body);
  }
}

/** Runs the CLI on a pseudo-terminal and interrupts it once its output shows `trigger`. */
export async function interruptOnTerminal(
  args: readonly string[],
  trigger: string,
  how: 'INT' | 'TERM',
): Promise<{ code: number; output: string; triggered: boolean }> {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const { stdout } = await promisify(execFile)(
    'python3',
    [PTY_RUN, trigger, how, '--', ...cliCommandLine(args)],
    { env, maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as { code: number; output: string; triggered: boolean };
}
