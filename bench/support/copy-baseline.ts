/** The database's own speed at writing a run's breaks: psql `\copy (SELECT ...) TO` of the same rows. */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';

/**
 * psql `\copy` to `file` of the run's breaks in their order, each with its case, key, fields and its
 * trade records as JSON (the rows a report of the run prints, without the register's state); wall time
 * in ms and bytes written.
 */
export function copyBaseline(url: string, runId: string, file: string): { ms: number; bytes: number } {
  const select = `SELECT c.id, c.recon, c.kind, d.key, d.fields,
      (SELECT json_agg(t ORDER BY u.ord) FROM unnest(d.left_ids || d.right_ids) WITH ORDINALITY u(id, ord)
        JOIN trade t ON t.id = abs(u.id)) AS records
    FROM break_sighting b JOIN break_detail d ON d.id = b.detail_id JOIN break_case c ON c.id = b.case_id
    WHERE b.run_id = ${BigInt(runId)} ORDER BY b.seq`;
  const t0 = performance.now();
  execFileSync('psql', ['-q', '-X', '-v', 'ON_ERROR_STOP=1', url, '-c', `\\copy (${select}) TO '${file}'`]);
  return { ms: performance.now() - t0, bytes: statSync(file).size };
}
