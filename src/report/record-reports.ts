import { stat } from 'node:fs/promises';
import path from 'node:path';
import { appendAuditEvent } from '../audit/append.js';
import type { Store } from '../db/connect.js';
import { sha256File } from '../shared/sha256-file.js';

/** A report file written for a run. */
export interface WrittenReport {
  readonly format: string;
  readonly path: string;
}

/**
 * Appends `report.written` to the audit trail: what was reported (`run:12`, `reinput:2019-05-06`), as
 * of which moment, and each file written with its sha256 and size, so a report shown later can be
 * checked against what was produced.
 */
export async function recordReportsWritten(
  store: Store,
  options: { actor: string; subject: string; asOf: string | null; files: readonly WrittenReport[] },
): Promise<void> {
  const files = [];
  for (const f of options.files) {
    files.push({
      format: f.format,
      file: path.basename(f.path),
      sha256: await sha256File(f.path),
      bytes: (await stat(f.path)).size,
    });
  }
  await appendAuditEvent(store.db, {
    actor: options.actor,
    action: 'report.written',
    subject: options.subject,
    details: { asOf: options.asOf, files },
  });
}
