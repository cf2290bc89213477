import type { Migration } from 'kysely';
import * as m0001 from './0001_ingest_schema.js';
import * as m0002 from './0002_fetch_manifest.js';
import * as m0003 from './0003_reconcile.js';
import * as m0004 from './0004_break_register.js';
import * as m0005 from './0005_audit_trail.js';
import * as m0006 from './0006_bulk_lineage.js';
import * as m0007 from './0007_register_scope.js';
import * as m0008 from './0008_actor_identity.js';
import * as m0009 from './0009_data_integrity.js';
import * as m0010 from './0010_calendar_changes.js';
import * as m0011 from './0011_fetch_completeness.js';
import * as m0012 from './0012_file_order.js';
import * as m0013 from './0013_compact_register.js';
import * as m0014 from './0014_match_blocks.js';
import * as m0015 from './0015_digest_version.js';
import * as m0016 from './0016_calendar_fallback.js';
import * as m0017 from './0017_triangulation.js';
import * as m0018 from './0018_clearing_house.js';
import * as m0019 from './0019_digest_row_lines.js';
import * as m0020 from './0020_match_set_formula.js';
import * as m0021 from './0021_rare_trade_indexes.js';
import * as m0022 from './0022_id_blocks.js';
import * as m0023 from './0023_dated_row_counts.js';
import * as m0024 from './0024_repeat_candidates.js';
import * as m0025 from './0025_brin_no_autosummarize.js';
import * as m0026 from './0026_file_partitions.js';

/**
 * Every migration, in order. Listed explicitly rather than read from the folder at run time
 * (Kysely's FileMigrationProvider) because that dynamic import runs inside node_modules, where
 * the test runner and tsx do not compile TypeScript; a list works the same from source and dist.
 */
export const migrations: Record<string, Migration> = {
  '0001_ingest_schema': m0001,
  '0002_fetch_manifest': m0002,
  '0003_reconcile': m0003,
  '0004_break_register': m0004,
  '0005_audit_trail': m0005,
  '0006_bulk_lineage': m0006,
  '0007_register_scope': m0007,
  '0008_actor_identity': m0008,
  '0009_data_integrity': m0009,
  '0010_calendar_changes': m0010,
  '0011_fetch_completeness': m0011,
  '0012_file_order': m0012,
  '0013_compact_register': m0013,
  '0014_match_blocks': m0014,
  '0015_digest_version': m0015,
  '0016_calendar_fallback': m0016,
  '0017_triangulation': m0017,
  '0018_clearing_house': m0018,
  '0019_digest_row_lines': m0019,
  '0020_match_set_formula': m0020,
  '0021_rare_trade_indexes': m0021,
  '0022_id_blocks': m0022,
  '0023_dated_row_counts': m0023,
  '0024_repeat_candidates': m0024,
  '0025_brin_no_autosummarize': m0025,
  '0026_file_partitions': m0026,
};
