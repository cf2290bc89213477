import { existsSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamWriter } from '../../src/shared/stream-writer.js';
import { makeFolder } from '../../src/shared/folders.js';

const work = mkdtempSync(path.join(tmpdir(), 'dcass-folders-'));
// Linux paths: the tests that need them skip where the system has no /proc or /dev/full (macOS).
const hasProc = existsSync('/proc/self');
const hasDevFull = existsSync('/dev/full');

describe('making an output folder: done, or refused at once with the reason', () => {
  it('creates the folder and its missing parents', () => {
    const dir = path.join(work, 'a', 'b', 'c');
    makeFolder(dir, 'the output folder');
    expect(statSync(dir).isDirectory()).toBe(true);
    makeFolder(dir, 'the output folder'); // already there: nothing to do
  });

  // Node's recursive mkdir spins forever on this path (its parent exists and answers ENOENT).
  // Skipped where the system has no /proc (macOS): the path does not exist there.
  it.skipIf(!hasProc)('a folder under /proc is refused, not retried forever', () => {
    expect(() => makeFolder('/proc/nope/deeper', 'the output folder')).toThrow(
      'cannot create the output folder /proc/nope/deeper: /proc does not accept new folders (ENOENT',
    );
  });

  it('a file where a folder is expected, and a link to nowhere, are refused', () => {
    const file = path.join(work, 'plain.txt');
    writeFileSync(file, 'x');
    expect(() => makeFolder(path.join(file, 'out'), 'the output folder')).toThrow(
      `cannot create the output folder ${path.join(file, 'out')}: ${file} is a file, not a folder`,
    );
    const link = path.join(work, 'dangling');
    symlinkSync(path.join(work, 'nowhere'), link);
    expect(() => makeFolder(link, 'the output folder')).toThrow(
      `${link} exists and is not a folder (a link to nowhere?)`,
    );
  });

  // Skipped where the system has no /dev/full (macOS): the device is Linux's.
  it.skipIf(!hasDevFull)('a device is not a folder, and a writer does not replace it', () => {
    expect(() => makeFolder('/dev/full', 'the output folder')).toThrow(
      'cannot create the output folder /dev/full: /dev/full is a device, not a folder',
    );
    expect(() => new StreamWriter('/dev/full')).toThrow('cannot write /dev/full: it is a device, not a file');
  });

  it('a writer whose folder is missing fails with the reason, as a DcassError', async () => {
    const file = path.join(work, 'missing', 'breaks.csv');
    const w = new StreamWriter(file);
    await expect(
      (async () => {
        await w.write('x'.repeat(100_000));
        await w.close();
      })(),
    ).rejects.toMatchObject({
      code: 'USAGE',
      message: `cannot write ${file}: no such file or folder (ENOENT)`,
    });
    w.destroy();
  });
});
