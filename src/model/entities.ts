import type { Entity, ReconciledEntity } from './vocabulary.js';

/**
 * The canonical fields of each entity, declared once: what a profile may fill, which column of the
 * entity's table stores it, how its value is typed and printed, whether every record has it and
 * whether rules may name it. Profiles, normalisers, the reconciliation's field whitelist and the
 * reports all read them from here, so a new field is declared here (and in a migration) only.
 */

/** How a canonical value is stored, compared and printed: NUMERIC decimals, DATE dates, TIMESTAMPTZ instants. */
export type FieldType = 'text' | 'decimal' | 'date' | 'timestamp';

/** One canonical field of an entity. */
export interface CanonicalField {
  /** The name profiles, rules and reports use (camelCase). */
  readonly name: string;
  readonly type: FieldType;
  /** Its column in the entity's table; null for a value read from a file only to derive others. */
  readonly column: string | null;
  /** Whether every stored record has a value (NOT NULL). */
  readonly required: boolean;
  /** Who gives the value: a profile reads it from the file, or the load knows it (source, participant). */
  readonly from: 'profile' | 'load';
  /** Whether a rule may name it (match on it, compare it, filter on it). */
  readonly rules: boolean;
}

/** One entity: its table, its canonical fields in the table's column order, and whether it keeps unmapped columns. */
export interface EntityModel {
  readonly table: 'trade' | 'position' | 'account_map';
  readonly fields: readonly CanonicalField[];
  /** The field holding the business date a record belongs to (the date a run reads it for). */
  readonly dateField: string;
  /** Whether a record keeps the file's unmapped columns (the `extra` column). */
  readonly extra: boolean;
  /**
   * The fields whose repeats within a file its load lists (file_repeat_candidate): the fields a run's
   * searches for repeated values group by (a trade's number, a BOS trade's reference), so that a run
   * reading one file looks only at the records listed instead of grouping the whole side.
   */
  readonly sieved: readonly string[];
}

type Options = { readonly column?: string; readonly optional?: true; readonly rules?: false };

/** A stored field a profile fills; its column is its name in snake_case unless given. */
const field = <N extends string>(name: N, type: FieldType, o: Options = {}) =>
  ({
    name,
    type,
    column: o.column ?? snakeCase(name),
    required: o.optional !== true,
    from: 'profile',
    rules: o.rules !== false,
  }) as const;

/** A value a profile reads only for the normaliser to derive stored fields from. */
const input = <N extends string>(name: N, type: FieldType) =>
  ({ name, type, column: null, required: false, from: 'profile', rules: false }) as const;

const loaded = <N extends string>(name: N, rules: boolean) =>
  ({ name, type: 'text', column: name, required: true, from: 'load', rules }) as const;

/** Where a record comes from and whose it is: set by the load, not read from the file. */
const ORIGIN = [loaded('source', false), loaded('participant', true)] as const;

/** The instrument: as an HKATS series name, and as its parts. */
const INSTRUMENT = [
  field('series', 'text'),
  field('root', 'text'),
  field('instrumentType', 'text'),
  field('expiry', 'text'),
  field('strike', 'decimal', { optional: true }),
] as const;

const TRADES = [
  ...ORIGIN,
  field('clearingDate', 'date'),
  field('session', 'text'),
  ...INSTRUMENT,
  field('tradeNo', 'text', { optional: true }),
  field('dealNo', 'text', { optional: true }),
  field('ref', 'text', { optional: true }),
  field('account', 'text'),
  field('clientCode', 'text', { optional: true }),
  field('side', 'text'),
  field('quantity', 'decimal'),
  field('price', 'decimal'),
  field('tradeType', 'text'),
  field('origTradeNo', 'text', { optional: true }),
  // A give-up's or take-up's status where a layout reports it: a pending one is stored as the
  // pending trade type (PENDING_TRADE_TYPE), so no column is needed.
  input('tradeStatus', 'text'),
  field('execDate', 'date', { optional: true }),
  // Hong Kong wall-clock time of execution: with execDate, the instant execAt and the clearing date.
  input('execTime', 'text'),
  field('execAt', 'timestamp', { optional: true }),
  field('openClose', 'text', { optional: true }),
] as const;

const POSITIONS = [
  ...ORIGIN,
  field('positionDate', 'date'),
  field('account', 'text'),
  field('clientCode', 'text', { optional: true }),
  ...INSTRUMENT,
  field('long', 'decimal', { column: 'long_qty' }),
  field('short', 'decimal', { column: 'short_qty' }),
  // A signed net quantity some layouts give instead of long and short: split into one of them.
  input('netQuantity', 'decimal'),
  field('exercised', 'decimal', { column: 'exercised_qty', optional: true }),
  field('assigned', 'decimal', { column: 'assigned_qty', optional: true }),
] as const;

const ACCOUNT_MAP = [
  field('clientCode', 'text', { rules: false }),
  field('dcassAccount', 'text', { rules: false }),
  field('accountType', 'text', { rules: false }),
  field('effectiveFrom', 'date', { rules: false }),
] as const;

/** Every entity's table and canonical fields. */
export const ENTITY_MODELS = {
  trades: {
    table: 'trade',
    fields: TRADES,
    dateField: 'clearingDate',
    extra: true,
    sieved: ['tradeNo', 'ref'],
  },
  positions: { table: 'position', fields: POSITIONS, dateField: 'positionDate', extra: true, sieved: [] },
  account_map: {
    table: 'account_map',
    fields: ACCOUNT_MAP,
    dateField: 'effectiveFrom',
    extra: false,
    sieved: [],
  },
} as const satisfies Record<Entity, EntityModel>;

/**
 * The most rows a load lists as possible repeats of one sieved column (EntityModel.sieved): a file with
 * more lists none for it, and runs reading it search it whole.
 */
export const MOST_REPEAT_CANDIDATES = 100_000;

/** The names of the fields of an entity that its table stores. */
export type StoredFieldName<E extends Entity> = Extract<
  (typeof ENTITY_MODELS)[E]['fields'][number],
  { readonly column: string }
>['name'];

/** The fields of an entity that its table stores, in column order. */
export function storedFields(entity: Entity): readonly (CanonicalField & { readonly column: string })[] {
  return ENTITY_MODELS[entity].fields.filter((f): f is typeof f & { column: string } => f.column !== null);
}

/** The canonical fields a profile of the entity may fill, in the model's order. */
export function profileFieldNames(entity: Entity): readonly string[] {
  return ENTITY_MODELS[entity].fields.filter((f) => f.from === 'profile').map((f) => f.name);
}

/** The fields of a reconciled entity a rule may name as they are stored (reconcile adds the fields it derives). */
export function ruleFields(
  entity: ReconciledEntity,
): readonly (CanonicalField & { readonly column: string })[] {
  return storedFields(entity).filter((f) => f.rules);
}

/**
 * The columns a load writes, in the order of the rows it makes: the record's file and line, the
 * stored fields, then the unmapped columns when the entity keeps them.
 */
export function copyColumns(entity: Entity): readonly string[] {
  return [
    'file_id',
    'line_no',
    ...storedFields(entity).map((f) => f.column),
    ...(ENTITY_MODELS[entity].extra ? ['extra'] : []),
  ];
}

/** The database type of a column (or working column) holding a value of the type. */
export const SQL_TYPE: Readonly<Record<FieldType, string>> = {
  text: 'text',
  decimal: 'numeric',
  date: 'date',
  timestamp: 'timestamptz',
};

/**
 * The SQL printing a value of the type (`expr`, a column reference) in its text format, the one
 * wherever a value is shown as text (reports, breaks, differences): text as stored; a decimal as the
 * shortest decimal (no trailing zeros, 340.50 as 340.5); a date YYYY-MM-DD; an instant ISO 8601 in UTC
 * with milliseconds (2019-05-06T01:30:00.000Z).
 */
export function textSql(type: FieldType, expr: string): string {
  switch (type) {
    case 'text':
      return expr;
    case 'decimal':
      return `trim_scale(${expr})::text`;
    case 'date':
      return `to_char(${expr}, 'YYYY-MM-DD')`;
    case 'timestamp':
      return `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  }
}

/** The column holding the date a run reads an entity's records for (a trade's clearing date, a position's date). */
export function recordDateColumn(entity: Entity): string {
  return storedField(entity, ENTITY_MODELS[entity].dateField).column;
}

/** The stored field of an entity by name; a programming error when there is none. */
export function storedField(entity: Entity, name: string): CanonicalField & { readonly column: string } {
  const f = storedFields(entity).find((x) => x.name === name);
  if (f === undefined) throw new Error(`${entity} stores no field ${name}`);
  return f;
}

/** The SQL reading one stored field of the record aliased `alias` as text, in its text format (textSql). */
export function fieldTextSql(entity: Entity, name: string, alias: string): string {
  const f = storedField(entity, name);
  return textSql(f.type, `${alias}.${f.column}`);
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
