/**
 * The ingest worker's entry: reads the files the main thread asks for, one at a time, into COPY data
 * (see readFileRecords), while the main thread stores the batches it was sent before.
 */
import { parentPort } from 'node:worker_threads';
import type { EncodedCopy } from '../../db/copy.js';
import { readFileRecords, type StoreLink } from './file-records.js';
import { failureOf, type FromWorker, type ReadJob, type ToWorker } from './worker-protocol.js';

/**
 * Batches sent and not yet stored, at most: the one the database is storing, the next waiting for it,
 * and (not counted) the one being filled. Enough to keep both threads busy; a bound, so memory stays
 * flat whatever the file's size and whichever side is slower.
 */
const BATCHES_IN_FLIGHT = 2;

const port = parentPort!;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

/** The link of the file being read: answers from the main thread are matched to what waits for them. */
class MainThreadLink implements StoreLink {
  private fileId: ((id: string) => void) | null = null;
  private inFlight = 0;
  private room: (() => void) | null = null;

  open(identity: Parameters<StoreLink['open']>[0]): Promise<string> {
    return new Promise((resolve) => {
      this.fileId = resolve;
      post({ type: 'open', identity });
    });
  }

  send(rows: EncodedCopy, rejects: EncodedCopy): Promise<void> | undefined {
    post(
      {
        type: 'batch',
        batch: { rows: rows.size, rowBytes: rows.bytes, rejects: rejects.size, rejectBytes: rejects.bytes },
      },
      [rows.bytes.buffer as ArrayBuffer, rejects.bytes.buffer as ArrayBuffer],
    );
    if (++this.inFlight < BATCHES_IN_FLIGHT) return undefined;
    return new Promise((resolve) => (this.room = resolve));
  }

  progress(bytesRead: number): void {
    post({ type: 'progress', bytes: bytesRead });
  }

  answer(message: Exclude<ToWorker, { type: 'read' }>): void {
    if (message.type === 'opened') {
      this.fileId?.(message.fileId);
      this.fileId = null;
      return;
    }
    this.inFlight--;
    this.room?.();
    this.room = null;
  }
}

let link: MainThreadLink | null = null;

async function read(job: ReadJob, current: MainThreadLink): Promise<void> {
  try {
    post({ type: 'done', facts: await readFileRecords(job, current) });
  } catch (err) {
    post({ type: 'failed', failure: failureOf(err) });
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'read') {
    link = new MainThreadLink();
    void read(message.job, link);
  } else {
    link?.answer(message);
  }
});
