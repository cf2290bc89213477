import type { Store } from '../db/connect.js';
import { ingestFiles, type FileOutcome, type IngestContext, type IngestRequest } from '../ingest/ingest.js';
import type { Logger } from '../shared/logger.js';

/**
 * Files a workflow loads before it goes on, what they are read with, and how the caller follows the
 * load (a progress bar, the line an interrupt prints): `onStart` as it begins, `onEnd` once it is
 * over, failed or not.
 */
export interface InputLoad extends Pick<IngestContext, 'profiles' | 'calendar' | 'participant'> {
  readonly files: readonly IngestRequest[];
  readonly onStart?: () => void;
  readonly onProgress?: (file: string, bytesRead: number, totalBytes: number) => void;
  readonly onOutcome?: (outcome: FileOutcome) => void;
  readonly onEnd?: () => void;
}

/** Who loads, recorded in the audit trail, and where the load logs. */
export interface Loader {
  readonly actor: string;
  readonly logger: Logger;
}

/** Loads a workflow's files (each in its own transaction; one loaded before is skipped by sha256). */
export async function loadInputs(store: Store, by: Loader, load: InputLoad): Promise<FileOutcome[]> {
  load.onStart?.();
  try {
    return await ingestFiles(
      {
        store,
        profiles: load.profiles,
        calendar: load.calendar,
        participant: load.participant,
        actor: by.actor,
        logger: by.logger,
        ...(load.onProgress === undefined ? {} : { onProgress: load.onProgress }),
        ...(load.onOutcome === undefined ? {} : { onOutcome: load.onOutcome }),
      },
      load.files,
    );
  } finally {
    load.onEnd?.();
  }
}
