import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding the package's package.json, from source (src/) or compiled (dist/src/) code alike. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('dcass-recon: cannot find the package root');
    dir = parent;
  }
  return dir;
}

/** A path inside the shipped `builtin/` folder (profiles, calendars, starter configuration). */
export function builtinPath(...parts: string[]): string {
  return path.join(packageRoot(), 'builtin', ...parts);
}

/** The installed package's version (package.json), for `dcass-recon --version`. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
}
