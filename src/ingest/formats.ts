import type { Profile } from '../config/profile.js';
import { accountMapNormaliser } from './normalise/account-map-record.js';
import type { EntityNormaliser } from './normalise/context.js';
import { positionNormaliser } from './normalise/position-record.js';
import { tradeNormaliser } from './normalise/trade-record.js';
import type { FileParser } from './parse/parse-event.js';

/**
 * The parser of the profile's format, given the profile with its format's own options. Each format's
 * parser and its library load with the first file of the format: a thread reading only CSV never
 * holds the XML parser (saxes and its character tables add about 8 MB to a process's resident memory),
 * and the main thread, which reads no file, holds none.
 */
export async function parserOf(profile: Profile): Promise<FileParser> {
  const { format } = profile;
  switch (format.type) {
    case 'fixed-width': {
      const { fixedWidthParser } = await import('./parse/fixed-width.js');
      return (text, file) => fixedWidthParser.parse(text, { ...profile, format }, file);
    }
    case 'csv': {
      const { csvParser } = await import('./parse/csv.js');
      return (text, file) => csvParser.parse(text, { ...profile, format }, file);
    }
    case 'xml': {
      const { xmlParser } = await import('./parse/xml.js');
      return (text, file) => xmlParser.parse(text, { ...profile, format }, file);
    }
  }
}

/** One normaliser per entity. */
export const NORMALISERS: Readonly<Record<Profile['entity'], EntityNormaliser>> = {
  trades: tradeNormaliser,
  positions: positionNormaliser,
  account_map: accountMapNormaliser,
};
