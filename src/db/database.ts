import type { FetchManifestTable } from './tables/fetch-manifest.table.js';
import type { AccountMapTable, CalendarTable } from './tables/reference.table.js';
import type {
  BreakCaseTable,
  BreakEventTable,
  ReconBreakTable,
  ReconMatchTable,
  ReconRunTable,
} from './tables/recon.table.js';
import type { PositionTable } from './tables/position.table.js';
import type {
  FileDatedRowsTable,
  FileRepeatCandidateTable,
  RefusedFileTable,
  RejectedRowTable,
  SourceFileTable,
} from './tables/source-file.table.js';
import type { TradeTable } from './tables/trade.table.js';

/** Every table Kysely may query, by SQL name. */
export interface Database {
  source_file: SourceFileTable;
  file_dated_rows: FileDatedRowsTable;
  file_repeat_candidate: FileRepeatCandidateTable;
  refused_file: RefusedFileTable;
  rejected_row: RejectedRowTable;
  trade: TradeTable;
  position: PositionTable;
  account_map: AccountMapTable;
  calendar: CalendarTable;
  fetch_manifest: FetchManifestTable;
  recon_run: ReconRunTable;
  recon_match: ReconMatchTable;
  recon_break: ReconBreakTable;
  break_case: BreakCaseTable;
  break_event: BreakEventTable;
}
