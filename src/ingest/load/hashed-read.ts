import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { DcassError } from '../../shared/errors.js';
import type { FileMeta } from './file-meta.js';

const CHUNK_BYTES = 256 * 1024;

/**
 * One read of the file, hashed and counted chunk by chunk as the parser takes it: the sha256 recorded
 * for the file is checked against exactly the bytes that were parsed and loaded. The file is hashed
 * once before (which decides "already loaded" before anything is parsed) and opened again here, so a
 * file replaced or rewritten in between, or while being read, would otherwise be recorded under the
 * hash of bytes that were never loaded.
 */
export class HashedRead {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private atEnd = false;
  /** Reads run one after another: a parser's pipeline may still be pulling when `verify` reads on. */
  private reading: Promise<Uint8Array | null> = Promise.resolve(null);

  private constructor(
    private readonly handle: FileHandle,
    private readonly meta: FileMeta,
    private readonly onBytes: ((bytesRead: number) => void) | undefined,
  ) {}

  static async open(meta: FileMeta, onBytes?: (bytesRead: number) => void): Promise<HashedRead> {
    try {
      return new HashedRead(await open(meta.path, 'r'), meta, onBytes);
    } catch (cause) {
      throw new DcassError('INGEST_FILE_UNREADABLE', `${meta.fileName}: cannot read the file`, {
        location: { file: meta.fileName },
        hint: 'it was moved or removed after it was hashed: ingest it again once it is in place',
        cause,
      });
    }
  }

  /** The file's bytes from where the read stands; the parser may stop early, `verify` reads the rest. */
  async *chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = await this.next();
      if (chunk === null) return;
      yield chunk;
    }
  }

  private next(): Promise<Uint8Array | null> {
    this.reading = this.reading.then(
      () => this.readOne(),
      () => this.readOne(),
    );
    return this.reading;
  }

  private async readOne(): Promise<Uint8Array | null> {
    if (this.atEnd) return null;
    // A fresh buffer per chunk: the decoder and parser may still hold the previous one.
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let bytesRead: number;
    try {
      ({ bytesRead } = await this.handle.read(buffer, 0, CHUNK_BYTES, null));
    } catch (cause) {
      throw new DcassError('INGEST_FILE_UNREADABLE', `${this.meta.fileName}: cannot read the file`, {
        location: { file: this.meta.fileName },
        hint: 'check the disk or share it is on, then ingest it again; nothing of it was loaded',
        cause,
      });
    }
    if (bytesRead === 0) {
      this.atEnd = true;
      return null;
    }
    const chunk = buffer.subarray(0, bytesRead);
    this.hash.update(chunk);
    this.bytes += bytesRead;
    this.onBytes?.(this.bytes);
    return chunk;
  }

  /** Reads what the parser left, then refuses the file unless the bytes read are the bytes hashed before. */
  async verify(): Promise<void> {
    while ((await this.next()) !== null);
    const read = this.hash.digest('hex');
    const { sha256, sizeBytes, fileName } = this.meta;
    if (read === sha256 && this.bytes === sizeBytes) return;
    throw new DcassError(
      'INGEST_FILE_CHANGED',
      `${fileName}: the file changed while it was being read (sha256 before ${sha256}, while read ${read}; size before ${sizeBytes} bytes, while read ${this.bytes})`,
      {
        location: { file: fileName },
        hint: 'ingest it again once it is complete; nothing of it was loaded',
      },
    );
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
