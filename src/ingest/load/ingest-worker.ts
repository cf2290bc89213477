import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { EncodedCopy } from '../../db/copy.js';
import type { FileIdentity } from './header-check.js';
import { errorOf, type FileFacts, type FromWorker, type ReadJob, type ToWorker } from './worker-protocol.js';

/** What the main thread does with what the worker reads of a file. */
export interface ReadHandlers {
  /** Creates the file's lineage row; resolves to its id. */
  open(identity: FileIdentity): Promise<string>;
  /** Stores one batch: rows, then rejects. */
  store(rows: EncodedCopy, rejects: EncodedCopy): Promise<void>;
  progress(bytesRead: number): void;
}

/**
 * The worker's heap, bounded: it holds a file's parser state and a batch or three, never the file.
 * The young generation is where nearly every value of a record lives and dies, so its size is how
 * often the worker stops to collect: at 6 MiB, 300,000 BOS rows were read in 4.2-4.9 s, at 32 MiB in
 * 2.9-4.0 s (four rounds each, the reading alone), a fifth to a third of the time. What it costs is
 * resident memory beside the database's, so it is chosen per database (see YOUNG_GENERATION_MB in
 * ingest.ts): the embedded database, whose process holds the database too, keeps the small one.
 */
const OLD_GENERATION_MB = 256;

/**
 * The thread that reads files while the main thread stores them: parsing and normalising on one core,
 * the database (a server's connection, or embedded PGlite, which runs on the main thread) on the other,
 * so batch n is stored while batch n+1 is read. One per ingest call, started with its first file to
 * read (a call that only skips files starts none), and closed at the end of the call.
 */
export class IngestWorker {
  private worker: Worker | null = null;

  /** `youngGenerationMb`: the worker's young generation (V8's maxYoungGenerationSizeMb). */
  constructor(private readonly youngGenerationMb: number) {}

  /** Reads the file in the worker, storing what it sends through `handlers`; resolves to its facts. */
  async read(job: ReadJob, handlers: ReadHandlers): Promise<FileFacts> {
    const worker = (this.worker ??= startWorker(this.youngGenerationMb));
    return new Promise<FileFacts>((resolve, reject) => {
      // Batches are stored one after another in the order sent; each answered once stored.
      let storing: Promise<void> = Promise.resolve();
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        // Whatever is being stored finishes (or fails) before the transaction may roll back.
        void storing.catch(() => undefined).then(outcome);
      };
      /** The main thread's side failed (a statement, the connection): the worker's reading is moot. */
      const abandon = (err: unknown): void => {
        if (settled) return;
        this.discard(worker);
        settle(() => reject(err));
      };
      const send = (message: ToWorker): void => worker.postMessage(message);
      const onMessage = (message: FromWorker): void => {
        switch (message.type) {
          case 'open':
            handlers.open(message.identity).then((fileId) => send({ type: 'opened', fileId }), abandon);
            return;
          case 'batch': {
            const { batch } = message;
            storing = storing.then(() =>
              handlers.store(
                new EncodedCopy(batch.rows, batch.rowBytes),
                new EncodedCopy(batch.rejects, batch.rejectBytes),
              ),
            );
            storing.then(() => send({ type: 'stored' }), abandon);
            return;
          }
          case 'progress':
            handlers.progress(message.bytes);
            return;
          case 'done':
            storing.then(() => settle(() => resolve(message.facts)), abandon);
            return;
          case 'failed':
            settle(() => reject(errorOf(message.failure)));
            return;
        }
      };
      const onError = (err: Error): void => {
        this.worker = null;
        settle(() => reject(workerStopped(err.message, err)));
      };
      const onExit = (code: number): void => {
        this.worker = null;
        settle(() => reject(workerStopped(`it exited with code ${code}`)));
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      send({ type: 'read', job });
    });
  }

  /** Stops the worker, if one was started. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker !== null) await worker.terminate();
  }

  /** Drops a worker whose file was given up: the next file starts a fresh one. */
  private discard(worker: Worker): void {
    if (this.worker === worker) this.worker = null;
    void worker.terminate();
  }
}

/** A bug or a crash of the worker: what is told of it; the file's transaction rolls back. */
function workerStopped(why: string, cause?: Error): Error {
  return new Error(`the ingest worker stopped: ${why}`, cause === undefined ? undefined : { cause });
}

/**
 * The worker as shipped (compiled JavaScript beside this file), or, run from the TypeScript sources
 * (tsx, vitest), its TypeScript source loaded through tsx, registered in the thread first: Node 20 does
 * not apply the hooks of an `--import tsx` in a worker's execArgv to the worker's own entry.
 */
function startWorker(youngGenerationMb: number): Worker {
  const compiled = new URL('./record-worker.js', import.meta.url);
  const resourceLimits: ResourceLimits = {
    maxYoungGenerationSizeMb: youngGenerationMb,
    maxOldGenerationSizeMb: OLD_GENERATION_MB,
  };
  const options = { resourceLimits };
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, options);
  // tsx's ESM API as an import sees it (require would resolve its CommonJS twin).
  const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(path.join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
  const source = new URL('./record-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
