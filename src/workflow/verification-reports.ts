import path from 'node:path';
import type { Store } from '../db/connect.js';
import { writeBreaksCsv, writeBreaksHtml, writeBreaksJson, type Participant } from '../report/index.js';

/** A report file a verification wrote. */
export interface VerificationReport {
  readonly format: string;
  readonly path: string;
  readonly breaks: number;
}

type ReportWriter = (
  store: Store,
  run: string,
  file: string,
  participant: Participant | null,
) => Promise<{ breaks: number }>;

/** The report writers of a verification, by file name. */
const REPORTS: readonly [string, string, ReportWriter][] = [
  ['json', 'breaks.json', (store, run, file) => writeBreaksJson(store, run, file)],
  ['csv', 'breaks.csv', (store, run, file) => writeBreaksCsv(store, run, file)],
  [
    'html',
    'breaks.html',
    (store, run, file, participant) => writeBreaksHtml(store, run, file, { participant }),
  ],
];

/** Writes a verified run's breaks.json, breaks.csv and breaks.html into `outDir`, in that order. */
export async function writeVerificationReports(
  store: Store,
  run: string,
  outDir: string,
  participant: Participant | null,
): Promise<VerificationReport[]> {
  const reports: VerificationReport[] = [];
  for (const [format, name, write] of REPORTS) {
    const file = path.join(outDir, name);
    reports.push({ format, path: file, breaks: (await write(store, run, file, participant)).breaks });
  }
  return reports;
}
