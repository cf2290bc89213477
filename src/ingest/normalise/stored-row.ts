import type { CopyRow } from '../../db/copy.js';
import {
  copyColumns,
  ENTITY_MODELS,
  storedFields,
  type CanonicalField,
  type StoredFieldName,
} from '../../model/entities.js';
import type { Entity } from '../../model/vocabulary.js';
import { fail, ok, type Result } from '../../shared/result.js';
import type { FieldTexts } from '../parse/parse-event.js';
import type { NormaliseContext, RecordValues } from './context.js';
import type { FieldValue } from './field.js';
import { decimal, extraJson, text, timestamp } from './record-values.js';

/**
 * The stored values a normaliser derives, by canonical name, in their stored form (a timestamp as
 * copyInstant writes it); the others are taken from the record as read.
 */
export type Derived<E extends Entity> = Partial<Record<StoredFieldName<E>, string | null>>;

/** Makes an entity's rows in the model's column order (copyColumns). */
export interface RowMaker<E extends Entity> {
  readonly table: (typeof ENTITY_MODELS)[E]['table'];
  readonly columns: readonly string[];
  row(
    derived: Derived<E>,
    values: RecordValues,
    extra: FieldTexts | null,
    line: number,
    ctx: NormaliseContext,
  ): Result<CopyRow>;
}

/**
 * The row maker of an entity. A stored field the normaliser does not derive is the load's (source,
 * participant) or the record's value as read, in its stored form; a required field left empty is a
 * MISSING_VALUE issue naming it.
 */
export function rowMaker<E extends Entity>(entity: E): RowMaker<E> {
  return {
    table: ENTITY_MODELS[entity].table,
    columns: copyColumns(entity),
    row: compileRow(storedFields(entity), ENTITY_MODELS[entity].extra) as RowMaker<E>['row'],
  };
}

const NAME = /^[a-zA-Z][a-zA-Z0-9]*$/;

/**
 * The row function of an entity, generated once from the model so that each field is a plain
 * property access (`d.clearingDate`, `v.tradeNo`): read by computed name in a loop, the same row costs
 * about three times as much, and a load makes one row per record. Only the model's own field names
 * are spliced in, and each is checked to be an identifier.
 */
function compileRow(
  fields: readonly CanonicalField[],
  keepsExtra: boolean,
): (
  d: object,
  v: RecordValues,
  extra: FieldTexts | null,
  line: number,
  ctx: NormaliseContext,
) => Result<CopyRow> {
  const steps = fields.map((f, i) => {
    if (!NAME.test(f.name)) throw new Error(`not a field name: ${f.name}`);
    const read =
      f.from === 'load'
        ? `ctx.${f.name}`
        : f.type === 'decimal'
          ? `decimal(v.${f.name})`
          : f.type === 'timestamp'
            ? // An instant read, as the database writes it back (derived ones come so), so that a
              // row's line is what the data digest rebuilds from the stored values.
              `copyInstant(instant(v.${f.name}))`
            : `text(v.${f.name})`;
    const check = f.required ? ` if (c${i} === null) return missing('${f.name}');` : '';
    return `const c${i} = d.${f.name} !== undefined ? d.${f.name} : ${read};${check}`;
  });
  const row = [
    'ctx.fileId',
    'String(line)',
    ...fields.map((_, i) => `c${i}`),
    ...(keepsExtra ? ['extraJson(extra)'] : []),
  ];
  const missing = (field: string) =>
    fail({ code: 'MISSING_VALUE', field, message: `${field} is required but empty` });
  const instant = (x: FieldValue | undefined) => timestamp(x)?.instant ?? null;
  const make = new Function(
    'decimal',
    'text',
    'instant',
    'copyInstant',
    'extraJson',
    'missing',
    'ok',
    `return (d, v, extra, line, ctx) => {\n${steps.join('\n')}\nreturn ok([${row.join(', ')}]);\n};`,
  ) as (...helpers: unknown[]) => ReturnType<typeof compileRow>;
  return make(decimal, text, instant, copyInstant, extraJson, missing, ok);
}

const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/;

/**
 * An instant (ISO 8601 UTC, `2019-05-06T01:30:00.250Z`) as the row's COPY text: `2019-05-06
 * 01:30:00.25+00`, the form the database writes it in UTC (fractions of a second without trailing
 * zeros, none when whole), which the data digest rebuilds from the stored value.
 */
export function copyInstant(iso: string | null): string | null {
  if (iso === null) return null;
  // Nearly every instant is a whole second written with three zero digits of milliseconds, as the
  // readers write it (toISOString, hkWallClockUtc): rewritten without the pattern, which was a twentieth
  // of reading a BOS trade file.
  if (iso.length === 24 && iso.endsWith('.000Z') && isoDigits(iso))
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}+00`;
  const m = ISO_INSTANT.exec(iso);
  if (m === null) throw new Error(`not an ISO 8601 UTC instant: ${iso}`);
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  return `${m[1]} ${m[2]}${fraction === '' ? '' : `.${fraction}`}+00`;
}

/** Whether `YYYY-MM-DDTHH:MM:SS` of an instant holds digits, dashes, the T and colons where ISO_INSTANT wants them. */
function isoDigits(iso: string): boolean {
  for (let i = 0; i < 19; i++) {
    const c = iso.charCodeAt(i);
    const want = i === 4 || i === 7 ? 45 : i === 13 || i === 16 ? 58 : i === 10 ? 84 : -1;
    if (want === -1 ? c < 48 || c > 57 : c !== want) return false;
  }
  return true;
}
