import type { CopyRow } from '../../db/copy.js';
import { copyColumns, ENTITY_MODELS, storedFields, type StoredFieldName } from '../../model/entities.js';
import type { Entity } from '../../model/vocabulary.js';
import { fail, ok, type Result } from '../../shared/result.js';
import type { FieldTexts } from '../parse/parse-event.js';
import type { NormaliseContext, RecordValues } from './context.js';
import { dec, decimal, extraJson, text, timestamp } from './record-values.js';

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
  const fields = storedFields(entity);
  const keepsExtra = ENTITY_MODELS[entity].extra;
  const asRead = fields.map((f) => {
    if (f.from === 'load') return (_v: RecordValues, ctx: NormaliseContext) => ctx[f.name as 'source' | 'participant'];
    switch (f.type) {
      case 'decimal':
        return (v: RecordValues) => dec(decimal(v[f.name]));
      case 'timestamp':
        return (v: RecordValues) => timestamp(v[f.name])?.instant ?? null;
      default:
        return (v: RecordValues) => text(v[f.name]);
    }
  });
  return {
    table: ENTITY_MODELS[entity].table,
    columns: copyColumns(entity),
    row(derived, values, extra, line, ctx) {
      const out: (string | null)[] = [ctx.fileId, String(line)];
      const given = derived as Readonly<Record<string, string | null | undefined>>;
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        const v = Object.hasOwn(given, f.name) ? given[f.name]! : asRead[i]!(values, ctx);
        if (v === null && f.required) {
          return fail({ code: 'MISSING_VALUE', field: f.name, message: `${f.name} is required but empty` });
        }
        out.push(v);
      }
      if (keepsExtra) out.push(extraJson(extra));
      return ok(out);
    },
  };
}
