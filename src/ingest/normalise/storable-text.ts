import type { FieldSpec } from '../../config/profile.js';
import type { Issue } from '../../shared/issue.js';
import type { FieldTexts } from '../parse/parse-event.js';
import { fieldLabel } from './field.js';

/*
 * PostgreSQL text (and jsonb) cannot hold NUL (U+0000): one in a value fails the whole COPY of its batch.
 * It is the only character a value here can hold that the database cannot: the decoders refuse bytes
 * that are not valid in the file's encoding, so no lone surrogate reaches a value, and saxes refuses
 * NUL in XML. CSV and fixed width (NUL is ASCII) pass it through.
 */
const NUL = '\0';

/*
 * Invisible format characters (Unicode category Cf: U+FEFF byte order mark anywhere but the start of the
 * file, zero-width spaces and joiners, word joiner, soft hyphen, bidi marks and controls, tag characters).
 * The database stores them, but a value holding one looks like the value without it while comparing
 * unequal: a trade ref, account or series with a hidden U+200B would silently break a key. So a record
 * holding one is rejected, like a NUL; `String.prototype.trim` would even strip a U+FEFF at a value's edge
 * unseen, which is why the raw texts are checked before any field is read.
 */
const UNSTORABLE = /[\0\p{Cf}]/u;
/** UNSTORABLE, or a character COPY's text format escapes (db/copy.ts COPY_ESCAPES). */
const UNSTORABLE_OR_ESCAPED = /[\0\p{Cf}\\\b\t\n\v\f\r]/u;

/** What a NUL is shown as where text must be kept anyway (raw text, messages): the Unicode symbol for it. */
const NUL_SHOWN_AS = '\u2400';

/** Names of the invisible characters most often met in exported files, for the rejection reason. */
const INVISIBLE_NAMES: Readonly<Record<string, string>> = {
  '\u00ad': 'soft hyphen',
  '\u200b': 'zero width space',
  '\u200c': 'zero width non-joiner',
  '\u200d': 'zero width joiner',
  '\u200e': 'left-to-right mark',
  '\u200f': 'right-to-left mark',
  '\u2060': 'word joiner',
  '\ufeff': 'byte order mark, zero width no-break space',
};

/**
 * The first value of a record the database cannot store, or that holds an invisible format character,
 * as an issue naming the field: a mapped field, or an unmapped column kept in `extra` (its name
 * included). Null when every value can be stored as it reads.
 */
export function unstorableValue(
  texts: FieldTexts,
  extra: FieldTexts | null,
  fields: Readonly<Record<string, FieldSpec>>,
): Issue | null {
  for (const name in texts) {
    const text = texts[name]!;
    if (UNSTORABLE.test(text)) {
      const spec = fields[name];
      return characterIssue(name, spec === undefined ? name : fieldLabel(name, spec), text);
    }
  }
  if (extra === null) return null;
  for (const name in extra) {
    const text = UNSTORABLE.test(name) ? name : extra[name]!;
    if (UNSTORABLE.test(text)) {
      const shown = storableText(name);
      return characterIssue(shown, shown, text);
    }
  }
  return null;
}

/**
 * Whether a text may hold a value unstorableValue refuses: false means none of the values cut from
 * it can (a CSV or fixed-width record's raw text holds every character of its values), so a record is
 * checked once, not field by field.
 */
export const mayHoldUnstorable = (text: string): boolean => UNSTORABLE.test(text);

/**
 * Whether a text may hold a value unstorableValue refuses or a character COPY's text format escapes
 * (backslash, BS, TAB, LF, VT, FF, CR): false clears a record of both in one scan of its raw text.
 */
export const mayHoldUnstorableOrCopyEscape = (text: string): boolean => UNSTORABLE_OR_ESCAPED.test(text);

/** The name of the first header value holding a NUL, or null. */
export function unstorableHeader(values: FieldTexts): string | null {
  for (const name in values) if (values[name]!.includes(NUL)) return name;
  return null;
}

/** The issue of a value holding a NUL or an invisible format character (the first one in it). */
function characterIssue(field: string, label: string, text: string): Issue {
  const at = text.search(UNSTORABLE);
  const c = text.codePointAt(at)!;
  if (c === 0) {
    return {
      code: 'BAD_RECORD',
      field,
      message: `${label}: the value holds a NUL byte (0x00), which cannot be stored (the raw text shows it as ${NUL_SHOWN_AS})`,
    };
  }
  const code = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = INVISIBLE_NAMES[String.fromCodePoint(c)];
  return {
    code: 'BAD_CHARACTER',
    field,
    message: `${label}: the value holds ${code}${name === undefined ? '' : ` (${name})`} at character ${[...text.slice(0, at)].length + 1}, an invisible character that would make it differ from the value it looks like`,
  };
}

/** Text made storable: each NUL replaced by its visible symbol (raw text and messages are kept, not parsed). */
export function storableText(text: string): string {
  return text.includes(NUL) ? text.replaceAll(NUL, NUL_SHOWN_AS) : text;
}
