import type { FileOutcome } from '../index.js';
import { out, restoreTerminal } from './output.js';

/**
 * Ctrl-C (SIGINT) and SIGTERM: undo what the process did to the terminal, say in one line what was
 * stopped and what was kept, and exit 130 / 143 as a shell reports a process ended by the signal.
 *
 * The process ends at once, without waiting for the work in flight. Nothing uncommitted survives
 * that: a PostgreSQL server rolls back the transaction of a connection that closes, and PGlite wrote
 * no commit record for it. The embedded database's folder lock goes in an exit hook (connect.ts).
 */
const EXIT_CODE = { SIGINT: 130, SIGTERM: 143 } as const;

const cleanups = new Set<() => void>();
let describeWork: (() => string) | null = null;

/** Runs `fn` (synchronous: a terminal write) if the process is interrupted; returns its removal. */
export function onInterrupt(fn: () => void): () => void {
  cleanups.add(fn);
  return () => void cleanups.delete(fn);
}

/** Installs the handlers once; `command` names the command being run (e.g. "ingest"). */
export function handleInterrupts(command: () => string): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const fn of cleanups) {
        try {
          fn();
        } catch {
          // the terminal is restored below in any case
        }
      }
      const what =
        describeWork?.() ??
        'stopped before it finished; what it had not committed to the database was rolled back';
      out.warn(`interrupted (${signal}): dcass-recon ${command()} ${what}`);
      restoreTerminal();
      process.exit(EXIT_CODE[signal]);
    });
  }
}

/** How many file names the interrupt line lists before "and N more". */
const NAMES_SHOWN = 5;

/**
 * Follows an ingest for the interrupt line: the file being loaded (nothing of it is kept: one
 * transaction per file) and the files loaded before it (they stay loaded).
 */
export function followIngest() {
  // Two large files may load at once (ingestFiles), each in its own transaction.
  const loading = new Set<string>();
  const loaded: string[] = [];
  describeWork = () => {
    const kept =
      loaded.length === 0
        ? 'no file had been loaded yet'
        : `${loaded.length === 1 ? '1 file already loaded stays' : `${loaded.length} files already loaded stay`} loaded: ${names(loaded)}`;
    if (loading.size === 0) return `stopped between files; ${kept}`;
    const those = loading.size === 1 ? 'that file' : 'those files';
    return `stopped while loading ${[...loading].join(' and ')}: nothing of ${those} was kept (each file loads in one transaction); ${kept}`;
  };
  return {
    reading(file: string): void {
      loading.add(file);
    },
    finished(outcome: FileOutcome): void {
      loading.delete(outcome.fileName);
      if (outcome.status === 'loaded') loaded.push(outcome.fileName);
    },
    done(): void {
      describeWork = null;
    },
  };
}

function names(files: readonly string[]): string {
  const shown = files.slice(0, NAMES_SHOWN).join(', ');
  return files.length > NAMES_SHOWN ? `${shown} and ${files.length - NAMES_SHOWN} more` : shown;
}
