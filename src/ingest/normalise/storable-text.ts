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

/** What a NUL is shown as where text must be kept anyway (raw text, messages): the Unicode symbol for it. */
export const NUL_SHOWN_AS = '\u2400';

/**
 * The first value of a record the database cannot store, as an issue naming the field: a mapped
 * field, or an unmapped column kept in `extra` (its name included). Null when every value is storable.
 */
export function unstorableValue(
  texts: FieldTexts,
  extra: FieldTexts | null,
  fields: Readonly<Record<string, FieldSpec>>,
): Issue | null {
  for (const name in texts) {
    if (texts[name]!.includes(NUL)) {
      const spec = fields[name];
      return nulIssue(name, spec === undefined ? name : fieldLabel(name, spec));
    }
  }
  if (extra === null) return null;
  for (const name in extra) {
    if (name.includes(NUL) || extra[name]!.includes(NUL)) {
      const shown = storableText(name);
      return nulIssue(shown, shown);
    }
  }
  return null;
}

/** The name of the first header value holding a NUL, or null. */
export function unstorableHeader(values: FieldTexts): string | null {
  for (const name in values) if (values[name]!.includes(NUL)) return name;
  return null;
}

function nulIssue(field: string, label: string): Issue {
  return {
    code: 'BAD_RECORD',
    field,
    message: `${label}: the value holds a NUL byte (0x00), which cannot be stored (the raw text shows it as ${NUL_SHOWN_AS})`,
  };
}

/** Text made storable: each NUL replaced by its visible symbol (raw text and messages are kept, not parsed). */
export function storableText(text: string): string {
  return text.includes(NUL) ? text.replaceAll(NUL, NUL_SHOWN_AS) : text;
}
