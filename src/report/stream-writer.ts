import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * A file written piece by piece with back-pressure (memory holds only what the disk has not taken
 * yet), into `<file>.partial` and renamed into place on close: a failed report leaves no half file.
 */
export class StreamWriter {
  private readonly stream: WriteStream;
  private readonly partial: string;
  private failure: Error | null = null;

  constructor(private readonly file: string) {
    this.partial = `${file}.partial`;
    this.stream = createWriteStream(this.partial, { encoding: 'utf8' });
    this.stream.on('error', (err) => (this.failure = err));
  }

  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    if (this.failure) throw this.failure;
    this.stream.end();
    await once(this.stream, 'finish');
    renameSync(this.partial, this.file);
  }

  /** Abandons the file after a failure, keeping the original error. */
  destroy(): void {
    this.stream.destroy();
    rmSync(this.partial, { force: true });
  }
}
