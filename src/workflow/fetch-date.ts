import type { ProfileRegistry } from '../config/profiles.js';
import type { Store } from '../db/connect.js';
import { profileMarkers } from '../ingest/acquire/completeness.js';
import { fetchReports, type FetchProgress, type FetchSummary } from '../ingest/acquire/fetch.js';
import { databaseManifest } from '../ingest/acquire/manifest.js';
import type { FileOutcome, IngestRequest } from '../ingest/ingest.js';
import type { Logger } from '../shared/logger.js';
import type { FetchPlan } from './fetch-plan.js';
import { loadInputs, type InputLoad } from './load-inputs.js';

/** Who fetches, what tells a file complete, how the caller follows, and whether the files are loaded. */
export interface FetchDateOptions {
  /** The profiles in force: the completeness marker a file's profile declares is waited for. */
  readonly profiles: ProfileRegistry;
  readonly actor: string;
  readonly logger: Logger;
  readonly onProgress?: (event: FetchProgress) => void;
  /** Loads the date's files afterwards (those fetched now and before); null leaves them in the inbox. */
  readonly load: InputLoad | null;
}

/** What a fetch did, and what loading its files did (null when they were not loaded). */
export interface FetchedDate {
  readonly fetch: FetchSummary;
  readonly ingest: readonly FileOutcome[] | null;
}

/** Fetches a planned date's reports into the inbox, recording each file in the manifest, then loads them. */
export async function fetchDate(
  store: Store,
  plan: FetchPlan,
  options: FetchDateOptions,
): Promise<FetchedDate> {
  const { actor, logger } = options;
  const fetch = await fetchReports({
    ...plan,
    manifest: databaseManifest(store.db),
    markerFor: profileMarkers(options.profiles),
    logger,
    actor,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  if (options.load === null) return { fetch, ingest: null };
  const files = [...fetch.fetched, ...fetch.skipped].flatMap((f): IngestRequest[] =>
    f.localPath === null ? [] : [{ path: f.localPath, source: 'dcass' }],
  );
  const ingest = files.length === 0 ? [] : await loadInputs(store, { actor, logger }, options.load, files);
  return { fetch, ingest };
}
