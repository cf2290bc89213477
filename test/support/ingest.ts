import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadCalendar, type LoadedCalendar } from '../../src/config/calendar-file.js';
import { ProfileRegistry } from '../../src/config/profiles.js';
import type { Store } from '../../src/db/connect.js';
import { ingestFiles, type FileOutcome, type IngestRequest } from '../../src/ingest/ingest.js';
import { builtinPath } from '../../src/shared/package-root.js';

export const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
export const profiles = ProfileRegistry.load();
export const calendar: LoadedCalendar = loadCalendar(builtinPath('calendars', 'hk-2019.yaml'));

/** Every data file below a folder, sorted. */
export function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((n) => path.join(dir, n))
    .filter((p) => statSync(p).isFile() && !/README|\.gitattributes/.test(p))
    .sort();
}

/** The shipped fixture set as ingest requests. */
export function fixtureRequests(): IngestRequest[] {
  return (['genium', 'dcass', 'bos'] as const).flatMap((source) =>
    filesBelow(path.join(FIXTURES, source)).map((p) => ({ path: p, source })),
  );
}

/** Ingests with the built-in profiles and calendar, for participant CABC. */
export function ingest(
  store: Store,
  requests: readonly IngestRequest[],
  participant: string | null = 'CABC',
): Promise<FileOutcome[]> {
  return ingestFiles({ store, profiles, calendar, participant }, requests);
}
