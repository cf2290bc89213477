/**
 * The CLI as it ships: `bin/dcass-recon.js` runs the compiled `dist/src/cli/main.js`. The bench
 * compiles the same sources with the same build configuration into a folder of its own, so that it
 * never touches dist/ and always measures the working tree.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';

/** Compiles src/ and migrations/ with tsconfig.build.json into `outDir`; returns the CLI entry. */
export function buildCli(repo: string, outDir: string): { entry: string; warnings: string } {
  rmSync(outDir, { recursive: true, force: true });
  const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(
    process.execPath,
    [tsc, '-p', path.join(repo, 'tsconfig.build.json'), '--outDir', outDir],
    { cwd: repo, encoding: 'utf8' },
  );
  const entry = path.join(outDir, 'src', 'cli', 'main.js');
  // tsc emits despite type errors; a type error elsewhere in the tree is reported, not fatal.
  if (!existsSync(entry))
    throw new Error(`building the CLI failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return { entry, warnings: r.status === 0 ? '' : `${r.stdout}${r.stderr}`.trim() };
}
