import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { DcassError, isDcassError } from './errors.js';
import { describeOsError, kindOf, statIfAny } from './folders.js';

/**
 * A file written piece by piece with back-pressure (memory holds only what the disk has not taken
 * yet), into `<file>.partial` and renamed into place on close: a failed report leaves no half file.
 * Every failure is a DcassError naming the file and the operating system's reason.
 */
export class StreamWriter {
  private readonly stream: WriteStream;
  private readonly partial: string;
  private failure: Error | null = null;

  constructor(private readonly file: string) {
    // The rename on close would replace whatever is there: never a device (/dev/full), a pipe or a
    // folder, only a file from an earlier write.
    const existing = statIfAny(file);
    if (existing !== undefined && !existing.isFile()) {
      throw new DcassError('USAGE', `cannot write ${file}: it is ${kindOf(existing)}, not a file`, {
        hint: 'choose a file name in a folder you can write to',
      });
    }
    this.partial = `${file}.partial`;
    this.stream = createWriteStream(this.partial, { encoding: 'utf8' });
    this.stream.on('error', (err) => (this.failure = err));
  }

  async write(text: string): Promise<void> {
    this.throwIfFailed();
    try {
      if (!this.stream.write(text)) await once(this.stream, 'drain');
    } catch (err) {
      throw this.cannotWrite(err);
    }
    this.throwIfFailed();
  }

  async close(): Promise<void> {
    this.throwIfFailed();
    try {
      this.stream.end();
      await once(this.stream, 'finish');
      renameSync(this.partial, this.file);
    } catch (err) {
      throw this.cannotWrite(err);
    }
  }

  /** Abandons the file after a failure, keeping the original error. */
  destroy(): void {
    this.stream.destroy();
    try {
      rmSync(this.partial, { force: true });
    } catch {
      // Never created: its folder is missing or not a folder (the error being reported says so).
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.cannotWrite(this.failure);
  }

  private cannotWrite(err: unknown): DcassError {
    if (isDcassError(err)) return err;
    return new DcassError('USAGE', `cannot write ${this.file}: ${describeOsError(err)}`, {
      hint: 'choose a file name in a folder you can write to, on a disk with room',
      cause: err,
    });
  }
}
