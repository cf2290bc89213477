import type { Store } from '../../src/db/connect.js';
import { insertTestFile } from './synthetic-trades.js';

/** Loads a file of positions (one per account: its net, long when positive, short when negative) of a
 * source and date straight into the canonical tables; returns its file id. */
export async function loadPositions(
  store: Store,
  source: 'dcass' | 'bos',
  date: string,
  nets: Record<string, string>,
) {
  const file = await insertTestFile(store, source, 'positions', date, Object.keys(nets).length);
  if (Object.keys(nets).length === 0) return file.id;
  await store.db
    .insertInto('position')
    .values(
      Object.entries(nets).map(([account, net], i) => ({
        file_id: file.id,
        line_no: i + 2,
        source,
        participant: 'CABC',
        position_date: date,
        account,
        client_code: null,
        series: 'HSIK9',
        root: 'HSI',
        instrument_type: 'F' as const,
        expiry: '2019-05',
        strike: null,
        long_qty: net.startsWith('-') ? '0' : net,
        short_qty: net.startsWith('-') ? net.slice(1) : '0',
        exercised_qty: null,
        assigned_qty: null,
        extra: null,
      })),
    )
    .execute();
  return file.id;
}
