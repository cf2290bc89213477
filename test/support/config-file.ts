import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../../src/config/config.js';

/**
 * Configuration files written into a fresh folder (`dir`) and resolved as the CLI resolves them: `configWith`
 * gives the resolved configuration, `errorOf` the message a refused one throws.
 */
export function configFiles(prefix: string): {
  dir: string;
  configWith: (text: string) => ReturnType<typeof resolveConfig>;
  errorOf: (text: string) => string;
} {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const configWith = (text: string) => {
    const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    return resolveConfig({ cwd: dir, configFile: file });
  };
  const errorOf = (text: string) => {
    try {
      configWith(text);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('expected the configuration to be refused');
  };
  return { dir, configWith, errorOf };
}
