import type { Profile } from '../config/profile.js';
import { accountMapNormaliser } from './normalise/account-map-record.js';
import type { EntityNormaliser } from './normalise/context.js';
import { positionNormaliser } from './normalise/position-record.js';
import { tradeNormaliser } from './normalise/trade-record.js';
import { csvParser } from './parse/csv.js';
import { fixedWidthParser } from './parse/fixed-width.js';
import type { RecordParser } from './parse/parse-event.js';
import { xmlParser } from './parse/xml.js';

/** One parser per file format. */
export const PARSERS: Readonly<Record<Profile['format']['type'], RecordParser>> = {
  'fixed-width': fixedWidthParser,
  csv: csvParser,
  xml: xmlParser,
};

/** One normaliser per entity. */
export const NORMALISERS: Readonly<Record<Profile['entity'], EntityNormaliser>> = {
  trades: tradeNormaliser,
  positions: positionNormaliser,
  account_map: accountMapNormaliser,
};
