import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The floors of src/ are enforced by eslint.config.js (no-restricted-imports). These tests lint
// sources that exist only here, under the rule `npm run lint` computes for their path, so a wrong-way
// arrow is shown to fail the lint without writing a file into src/.
const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });
const linter = new Linter();

async function floorProblems(file: string, source: string): Promise<string[]> {
  const config = (await eslint.calculateConfigForFile(path.join(root, file))) as Linter.Config;
  const rule = config.rules?.['no-restricted-imports'];
  expect(rule, `${file} has no import floor`).toBeDefined();
  const messages = linter.verify(
    source,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        rules: { 'no-restricted-imports': rule! },
      },
    ],
    path.join(root, file),
  );
  return messages.map((m) => m.message);
}

describe('import floors', () => {
  let sources: string[];
  beforeAll(() => {
    sources = readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join('src', f));
  });

  it('refuses an arrow the wrong way: audit importing report', async () => {
    const problems = await floorProblems(
      'src/audit/export.ts',
      "import { StreamWriter } from '../report/stream-writer.js';\n",
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('src/audit may import only from shared, model, db, config, audit');
  });

  it('refuses type imports and re-exports too, at any depth', async () => {
    expect(
      await floorProblems('src/config/x.ts', "import type { X } from '../confirm/x.js';\n"),
    ).toHaveLength(1);
    expect(
      await floorProblems('src/ingest/normalise/x.ts', "export { x } from '../../report/x.js';\n"),
    ).toHaveLength(1);
    expect(await floorProblems('src/report/x.ts', "import { x } from '../index.js';\n")).toHaveLength(1);
    expect(await floorProblems('src/index.ts', "export { x } from './cli/main.js';\n")).toHaveLength(1);
  });

  it('allows its own floor, the floors below, and folders inside its own', async () => {
    const source = (lines: string[]) => lines.map((l) => `import '${l}';\n`).join('');
    expect(
      await floorProblems(
        'src/config/x.ts',
        source(['../shared/errors.js', '../model/dates.js', '../audit/actor.js']),
      ),
    ).toEqual([]);
    expect(
      await floorProblems('src/ingest/normalise/x.ts', source(['../../reconcile/x.js', '../report/x.js'])),
    ).toEqual([]);
    expect(
      await floorProblems('src/report/html/x.ts', source(['../index.js', '../../db/connect.js'])),
    ).toEqual([]);
    expect(
      await floorProblems('src/cli/commands/x.ts', source(['../../index.js', '../../db/connect.js'])),
    ).toEqual([]);
  });

  it('puts every source file on a floor', async () => {
    const unplaced: string[] = [];
    for (const file of sources) {
      const config = (await eslint.calculateConfigForFile(path.join(root, file))) as Linter.Config;
      if (config.rules?.['no-restricted-imports'] === undefined) unplaced.push(file);
    }
    expect(unplaced, 'add the folder to FLOORS in eslint.config.js (or raise MAX_DEPTH)').toEqual([]);
  });
});
