/**
 * The CLI as it ships: `bin/dcass-recon.js` runs the compiled `dist/src/cli/main.js`. The bench
 * compiles the same sources with the same build configuration into a folder of its own, so that it
 * never touches dist/ and always measures the working tree.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Compiles src/ and migrations/ with tsconfig.build.json into `outDir`; returns the CLI entry.
 * `extra` (repository paths of bench scripts, e.g. bench/support/recon-product.ts) are compiled
 * with them, so a bench's child process runs compiled code as the CLI does; `compiled` gives each
 * one's .js path.
 */
export function buildCli(
  repo: string,
  outDir: string,
  extra: readonly string[] = [],
): { entry: string; warnings: string; compiled: (file: string) => string } {
  rmSync(outDir, { recursive: true, force: true });
  let project = path.join(repo, 'tsconfig.build.json');
  if (extra.length > 0) {
    // The same build configuration with the extra files included; paths absolute, as this file
    // lives outside the repository's root.
    mkdirSync(outDir, { recursive: true });
    project = path.join(outDir, 'tsconfig.bench.json');
    writeFileSync(
      project,
      JSON.stringify({
        extends: path.join(repo, 'tsconfig.build.json'),
        compilerOptions: { rootDir: repo, outDir },
        include: ['src', 'migrations', ...extra].map((p) => path.join(repo, p)),
      }),
    );
  }
  const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', project, '--outDir', outDir], {
    cwd: repo,
    encoding: 'utf8',
  });
  const compiled = (file: string): string => path.join(outDir, file.replace(/\.ts$/, '.js'));
  const entry = compiled('src/cli/main.ts');
  // tsc emits despite type errors; a type error elsewhere in the tree is reported, not fatal.
  const missing = [entry, ...extra.map(compiled)].filter((f) => !existsSync(f));
  if (missing.length > 0)
    throw new Error(
      `building the CLI failed (exit ${r.status}; no ${missing.join(', ')}):\n${r.stdout}${r.stderr}`,
    );
  return { entry, warnings: r.status === 0 ? '' : `${r.stdout}${r.stderr}`.trim(), compiled };
}
