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

/** The stored values a normaliser derives, by canonical name; the others are taken from the record as read. */
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
            ? `instant(v.${f.name})`
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
    'extraJson',
    'missing',
    'ok',
    `return (d, v, extra, line, ctx) => {\n${steps.join('\n')}\nreturn ok([${row.join(', ')}]);\n};`,
  ) as (...helpers: unknown[]) => ReturnType<typeof compileRow>;
  return make(decimal, text, instant, extraJson, missing, ok);
}
