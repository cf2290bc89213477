import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { ProfileRegistry } from '../../config/profiles.js';
import type { Database } from '../../db/database.js';
import type { Logger } from '../../shared/logger.js';
import type { SourceEntry, SourceListing } from './report-source.js';
import { sleep } from './watchdog.js';

/**
 * How a loaded file is known to be whole: by its own content (a fixed-width trailer, an XML
 * recordCount), by the publisher's marker file, by having stopped changing before it was fetched,
 * or not at all (a CSV report with neither: loaded, but flagged).
 */
export type Completeness = 'trailer' | 'record-count' | 'marker' | 'stable' | 'unverifiable';

/** What a fetch could tell of a file it took; null when it was told not to wait (stableMs 0). */
export type ArrivalCompleteness = 'marker' | 'stable' | null;

/** How long a fetch waits for remote files to stop changing (milliseconds). */
export interface StabilityRule {
  /** Size and mtime must stay the same this long before a file is taken; 0 takes it as listed. */
  readonly stableMs: number;
  /** A file still changing (or still without its marker) after this is left for the next fetch. */
  readonly maxWaitMs: number;
}

/**
 * The marker's name for a data file, from a template: `{name}` is the file name, `{stem}` the name
 * without its last extension (`{name}.done`, `{stem}.ok`).
 */
export function markerName(template: string, fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const stem = dot > 0 ? fileName.slice(0, dot) : fileName;
  return template.replaceAll('{name}', fileName).replaceAll('{stem}', stem);
}

/** The marker template the DCASS profile matching a file name declares (the first by profile name), if any. */
export function profileMarkers(profiles: ProfileRegistry): (name: string) => string | undefined {
  const marked = profiles.all().filter((p) => p.source === 'dcass' && p.completeness !== undefined);
  return (name) => marked.find((p) => new RegExp(p.match).test(name))?.completeness?.marker;
}

/** A candidate file and what decides it is complete. */
export interface SettleItem<T> {
  readonly entry: SourceEntry;
  /** The marker file that must be listed beside it, when its profile declares one. */
  readonly marker: string | null;
  readonly data: T;
}

/** The outcome of waiting: files ready to take (as last listed) and files left for the next fetch. */
export interface Settled<T> {
  readonly ready: Array<{ item: SettleItem<T>; entry: SourceEntry; completeness: ArrivalCompleteness }>;
  readonly waiting: Array<{ item: SettleItem<T>; code: string; reason: string }>;
}

/**
 * Waits until each file is complete: its marker is listed, or (without a marker) its size and mtime
 * were the same in two listings `stableMs` apart. The folder is listed again every `stableMs` for all
 * files at once; after `maxWaitMs` what is still changing or unmarked is left waiting.
 */
export async function settle<T>(
  items: readonly SettleItem<T>[],
  rule: StabilityRule,
  first: SourceListing,
  relist: () => Promise<SourceListing>,
  signal: AbortSignal,
  log: Logger,
): Promise<Settled<T>> {
  const ready: Settled<T>['ready'] = [];
  const waiting: Settled<T>['waiting'] = [];
  let pending = [...items];
  let previous: Map<string, SourceEntry> | null = null;
  let listing = first;
  const started = Date.now();
  for (;;) {
    const now = byName(listing);
    const still: typeof pending = [];
    for (const item of pending) {
      const current = now.get(item.entry.name);
      if (current?.kind !== 'file') {
        waiting.push({ item, code: 'REMOTE_FILE_GONE', reason: `${item.entry.name} is no longer listed` });
      } else if (item.marker !== null) {
        if (now.get(item.marker)?.kind === 'file')
          ready.push({ item, entry: current, completeness: 'marker' });
        else still.push(item);
      } else if (rule.stableMs === 0) {
        ready.push({ item, entry: current, completeness: null });
      } else if (sameVersion(previous?.get(item.entry.name), current)) {
        ready.push({ item, entry: current, completeness: 'stable' });
      } else {
        still.push(item);
      }
    }
    previous = now;
    pending = still;
    const waited = Date.now() - started;
    if (pending.length === 0 || signal.aborted || rule.stableMs === 0 || waited >= rule.maxWaitMs) break;
    log.debug({ files: pending.length, waitMs: rule.stableMs }, 'waiting for remote files to settle');
    await sleep(rule.stableMs, signal);
    listing = await relist();
  }
  for (const item of pending) {
    waiting.push(
      item.marker !== null
        ? {
            item,
            code: 'REMOTE_MARKER_MISSING',
            reason: `${item.entry.name} is not marked complete yet (no ${item.marker} beside it); left for the next fetch`,
          }
        : {
            item,
            code: 'REMOTE_FILE_GROWING',
            reason: `${item.entry.name} was still changing after ${rule.maxWaitMs} ms (still being written); left for the next fetch`,
          },
    );
  }
  return { ready, waiting };
}

function byName(listing: SourceListing): Map<string, SourceEntry> {
  return new Map(listing.entries.map((e) => [e.name, e]));
}

/** Same size and modification time: the same version of a file, as far as a listing can tell. */
export function sameVersion(
  a: { readonly size: number; readonly mtime: Date } | undefined,
  b: { readonly size: number; readonly mtime: Date },
): boolean {
  return a !== undefined && a.size === b.size && a.mtime.getTime() === b.mtime.getTime();
}

/**
 * How a loaded file is known to be whole: by its own trailer or record count; else by the fetch
 * that took it (the manifest, by sha256); else by the profile's marker beside the local file; else
 * it is not known ('unverifiable': loaded, and flagged in `files` and the report).
 */
export async function fileCompleteness(
  db: Kysely<Database>,
  file: { readonly sha256: string; readonly path: string; readonly fileName: string },
  content: { readonly trailer: boolean; readonly recordCount: boolean },
  markerTemplate: string | undefined,
): Promise<Completeness> {
  if (content.trailer) return 'trailer';
  if (content.recordCount) return 'record-count';
  const fetched = await db
    .selectFrom('fetch_manifest')
    .select('completeness')
    .where('sha256', '=', file.sha256)
    .where('outcome', '=', 'fetched')
    .where('completeness', 'is not', null)
    .execute();
  const kinds = new Set(fetched.map((r) => r.completeness));
  if (kinds.has('marker')) return 'marker';
  if (kinds.has('stable')) return 'stable';
  if (markerTemplate !== undefined) {
    const marker = path.join(path.dirname(file.path), markerName(markerTemplate, file.fileName));
    if (
      await access(marker).then(
        () => true,
        () => false,
      )
    )
      return 'marker';
  }
  return 'unverifiable';
}
