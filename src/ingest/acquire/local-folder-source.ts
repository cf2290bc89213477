import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DcassError } from '../../shared/errors.js';
import type { EntryStat, ReportSource, SourceEntry, SourceListing } from './report-source.js';

/**
 * DCASS Online exports saved to a folder (the Sunday verification day, before RRS opens). The
 * folder may hold one subfolder per business date (`<dir>/<YYYYMMDD>/`) or the files directly;
 * the report patterns pick the date's files either way.
 */
export class LocalFolderSource implements ReportSource {
  readonly origin: string;
  readonly #dir: string;
  #abort = new AbortController();

  constructor(dir: string) {
    this.#dir = path.resolve(dir);
    this.origin = `local:${this.#dir}`;
  }

  async list(date: string): Promise<SourceListing> {
    const dated = path.join(this.#dir, date);
    const folder = (await isDirectory(dated)) ? dated : this.#dir;
    if (!(await isDirectory(folder))) {
      throw new DcassError('ACQUIRE_SOURCE_MISSING', `the export folder ${folder} does not exist`, {
        hint: 'save the DCASS Online exports to that folder, or point --from at the folder that holds them',
      });
    }
    const names = await readdir(folder);
    const entries: SourceEntry[] = [];
    for (const name of names) {
      const full = path.join(folder, name);
      // lstat: a symlink is reported as such and refused later, never followed out of the folder.
      const st = await lstat(full).catch(() => undefined);
      if (st === undefined) continue;
      entries.push({
        name,
        path: full,
        kind: st.isFile()
          ? 'file'
          : st.isDirectory()
            ? 'directory'
            : st.isSymbolicLink()
              ? 'symlink'
              : 'other',
        size: st.size,
        mtime: st.mtime,
      });
    }
    return { folder, entries };
  }

  async download(
    entry: SourceEntry,
    tempPath: string,
    onBytes: (transferred: number) => void,
  ): Promise<EntryStat> {
    const before = await lstat(entry.path);
    if (!before.isFile())
      throw new DcassError('ACQUIRE_COPY_FAILED', `${entry.path} is no longer a regular file`);
    let transferred = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        transferred += chunk.length;
        onBytes(transferred);
        done(null, chunk);
      },
    });
    try {
      await pipeline(createReadStream(entry.path), count, createWriteStream(tempPath, { flags: 'wx' }), {
        signal: this.#abort.signal,
      });
    } catch (cause) {
      throw new DcassError('ACQUIRE_COPY_FAILED', `cannot copy ${entry.path}`, { cause });
    }
    return { size: before.size, mtime: before.mtime };
  }

  async stat(entry: SourceEntry): Promise<EntryStat> {
    const st = await lstat(entry.path).catch((cause: unknown) => {
      throw new DcassError('ACQUIRE_COPY_FAILED', `cannot read ${entry.path}`, { cause });
    });
    return { size: st.size, mtime: st.mtime };
  }

  isTransient(): boolean {
    // A local copy that failed once fails again; nothing to wait for.
    return false;
  }

  abort(): void {
    this.#abort.abort();
  }

  async close(): Promise<void> {
    this.#abort = new AbortController();
  }
}

async function isDirectory(p: string): Promise<boolean> {
  const st = await lstat(p).catch(() => undefined);
  return st?.isDirectory() === true;
}
