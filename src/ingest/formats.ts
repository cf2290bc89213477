import type { Profile } from '../config/profile.js';
import { accountMapNormaliser } from './normalise/account-map-record.js';
import type { EntityNormaliser } from './normalise/context.js';
import { positionNormaliser } from './normalise/position-record.js';
import { tradeNormaliser } from './normalise/trade-record.js';
import { csvParser } from './parse/csv.js';
import { fixedWidthParser } from './parse/fixed-width.js';
import type { FileParser } from './parse/parse-event.js';
import { xmlParser } from './parse/xml.js';

/** The parser of the profile's format, given the profile with its format's own options. */
export function parserOf(profile: Profile): FileParser {
  const { format } = profile;
  switch (format.type) {
    case 'fixed-width':
      return (text, file) => fixedWidthParser.parse(text, { ...profile, format }, file);
    case 'csv':
      return (text, file) => csvParser.parse(text, { ...profile, format }, file);
    case 'xml':
      return (text, file) => xmlParser.parse(text, { ...profile, format }, file);
  }
}

/** One normaliser per entity. */
export const NORMALISERS: Readonly<Record<Profile['entity'], EntityNormaliser>> = {
  trades: tradeNormaliser,
  positions: positionNormaliser,
  account_map: accountMapNormaliser,
};
