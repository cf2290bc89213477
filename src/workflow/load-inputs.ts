import type { LoadedCalendar } from '../config/calendar-file.js';
import type { ProfileRegistry } from '../config/profiles.js';
import type { Store } from '../db/connect.js';
import { ingestFiles, type FileOutcome, type IngestRequest } from '../ingest/ingest.js';
import type { Logger } from '../shared/logger.js';

/**
 * How a workflow loads files: the profiles and calendar (read as the load begins, so a workflow
 * that loads nothing reads neither), the participant, and how the caller follows the load (a
 * progress bar, the line an interrupt prints): `onStart` as it begins, `onEnd` once it is over,
 * failed or not.
 */
export interface InputLoad {
  profiles(): ProfileRegistry;
  calendar(): LoadedCalendar;
  readonly participant: string | null;
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

/** Loads files, each in its own transaction; a file loaded before (same sha256) is skipped. */
export async function loadInputs(
  store: Store,
  by: Loader,
  load: InputLoad,
  files: readonly IngestRequest[],
): Promise<FileOutcome[]> {
  const profiles = load.profiles();
  const calendar = load.calendar();
  load.onStart?.();
  try {
    return await ingestFiles(
      {
        store,
        profiles,
        calendar,
        participant: load.participant,
        actor: by.actor,
        logger: by.logger,
        ...(load.onProgress === undefined ? {} : { onProgress: load.onProgress }),
        ...(load.onOutcome === undefined ? {} : { onOutcome: load.onOutcome }),
      },
      files,
    );
  } finally {
    load.onEnd?.();
  }
}
