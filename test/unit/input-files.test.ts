import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandPath } from '../../src/cli/input-files.js';
import { DEFAULT_EXCLUDED_FOLDERS, resolveConfig } from '../../src/config/config.js';

describe('the input folder listing of ingest --all', () => {
  // The input folder is itself named old: only folders below it are excluded.
  const root = path.join(mkdtempSync(path.join(tmpdir(), 'dcass-list-')), 'old');
  for (const rel of [
    'BOS_TRADES_CABC_20190506.csv',
    'archive/BOS_TRADES_CABC_20190506.csv',
    'Archive/2019/BOS_TRADES_CABC_20190503.csv',
    'may/OLD/BOS_POSITIONS_CABC_20190506.csv',
    'may/BOS_POSITIONS_CABC_20190506.csv',
    'archived-notes/BOS_POSITIONS_CABC_20190507.csv',
    '.hidden/x.csv',
    'README.md',
  ]) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), 'x');
  }

  it('leaves out files in excluded folders at any depth, ignoring case, but not the input folder itself', () => {
    expect(expandPath(root, DEFAULT_EXCLUDED_FOLDERS).map((f) => path.relative(root, f))).toEqual([
      'BOS_TRADES_CABC_20190506.csv',
      path.join('archived-notes', 'BOS_POSITIONS_CABC_20190507.csv'),
      path.join('may', 'BOS_POSITIONS_CABC_20190506.csv'),
    ]);
  });

  it('reads every folder when none is excluded (a folder named on the command line)', () => {
    expect(expandPath(root)).toHaveLength(6);
  });

  it('excludes archive and old by default; inputs.excludeFolders replaces them and takes names only', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dcass-cfg-'));
    const cfg = (text: string) => {
      writeFileSync(path.join(dir, 'dcass-recon.yaml'), `participant:\n  code: CABC\n${text}`);
      return resolveConfig({ cwd: dir });
    };
    expect(cfg('inputs:\n  bos: in\n').inputExcludeFolders).toEqual(['archive', 'old']);
    expect(cfg('').inputExcludeFolders).toEqual(['archive', 'old']);
    const set = cfg('inputs:\n  bos: in\n  excludeFolders: [superseded]\n');
    expect(set.inputExcludeFolders).toEqual(['superseded']);
    expect(set.inputs).toEqual({ bos: path.join(dir, 'in') });
    expect(() => cfg('inputs:\n  excludeFolders: [a/b]\n')).toThrow(/a folder name, without \/ or \\/);
  });
});
