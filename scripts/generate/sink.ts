/** Where generated text goes: a file stream with backpressure, or memory (tests). */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';

/** Text encoder for a sink: UTF-8 by default; Big5 for some BOS files. */
export type TextEncode = (text: string) => Uint8Array;

const utf8: TextEncode = (text) => Buffer.from(text, 'utf8');

/** Receives text; `write` resolves when the caller may write more (backpressure). */
export interface Sink {
  write(text: string): Promise<void>;
  /** Flushes and closes; resolves when every byte is out. */
  close(): Promise<void>;
}

/** Buffers small writes into chunks of about 64 KiB and waits for 'drain' when the stream asks. */
export class StreamSink implements Sink {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly stream: Writable,
    private readonly encode: TextEncode = utf8,
    private readonly chunkChars = 1 << 16,
  ) {}

  /** Opens a file for writing (truncating it). */
  static toFile(path: string, encode?: TextEncode): StreamSink {
    return new StreamSink(createWriteStream(path), encode);
  }

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= this.chunkChars) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = this.encode(this.parts.join(''));
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
  }
}

/** Collects everything in memory; for tests and the small fixture files. */
export class MemorySink implements Sink {
  private readonly chunks: Uint8Array[] = [];

  constructor(private readonly encode: TextEncode = utf8) {}

  write(text: string): Promise<void> {
    this.chunks.push(this.encode(text));
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Every byte written so far. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
