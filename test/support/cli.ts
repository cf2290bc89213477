import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/tsx/dist/esm/index.mjs');
const MAIN = path.join(ROOT, 'src/cli/main.ts');

/** The command line that runs the CLI from source, for a test that starts it through another tool. */
export function cliCommandLine(args: readonly string[]): string[] {
  return [process.execPath, '--import', TSX, MAIN, ...args];
}

/** Starts the CLI from source in a child process (the same code the built bin runs). */
export function startCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ChildProcess {
  const env = { ...process.env, ...options.env };
  delete env.DATABASE_URL; // each test names its database with --db
  const [node, ...argv] = cliCommandLine(args);
  return spawn(node!, argv, {
    cwd: options.cwd ?? ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the CLI to the end: exit code, stdout, stderr. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = startCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
