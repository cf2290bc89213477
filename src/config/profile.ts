import { z } from 'zod';
import { profileFieldNames } from '../model/entities.js';
import { ENTITIES, SOURCES } from '../model/vocabulary.js';

/**
 * A profile says how to read one kind of file: format, encoding, record selection, where each
 * canonical field is, how its values are written, code maps and control totals. Profiles are data:
 * a CP adds one for its real layout without touching code.
 */

const ENCODINGS = ['ascii', 'utf-8', 'big5'] as const;

export const HEADER_FIELDS = [
  'reportId',
  'participant',
  'businessDate',
  'generatedAt',
  'recordCount',
] as const;

const position = z.tuple([z.int().min(1), z.int().min(1)]).describe('[start, length], 1-based');

const VALUE_TYPES = ['text', 'id', 'date', 'time', 'timestamp', 'decimal', 'code', 'series'] as const;
const FORMATS: Record<string, readonly string[]> = {
  date: ['YYYYMMDD', 'DD/MM/YYYY', 'YYYY-MM-DD'],
  time: ['HHMMSS', 'HH:MM:SS'],
  timestamp: ['ISO_OFFSET', 'YYYYMMDDHHMMSS_HKT'],
};

/** Where a value is (column header, element or attribute name, or fixed-width position) and how to read it. */
const fieldSpecSchema = z
  .strictObject({
    from: z.union([z.string().min(1), position]),
    type: z.enum(VALUE_TYPES).default('text'),
    format: z.string().optional(),
    impliedDecimals: z.int().min(0).max(18).optional(),
    thousands: z.string().length(1).optional(),
    signed: z.boolean().optional(),
    map: z.record(z.string(), z.string().nullable()).optional(),
    caseInsensitive: z.boolean().optional(),
    zeroIsNull: z.boolean().optional(),
    optional: z.boolean().default(false),
  })
  .superRefine((f, ctx) => {
    const formats = FORMATS[f.type];
    if (formats && (f.format === undefined || !formats.includes(f.format))) {
      ctx.addIssue({
        code: 'custom',
        path: ['format'],
        message: `a ${f.type} needs format: one of ${formats.join(', ')}`,
      });
    }
    if (!formats && f.format !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['format'],
        message: `format applies to date, time and timestamp, not ${f.type}`,
      });
    }
    if (f.type === 'code' && f.map === undefined) {
      ctx.addIssue({ code: 'custom', path: ['map'], message: 'a code needs map: { raw: canonical }' });
    }
    if (
      f.type !== 'decimal' &&
      (f.impliedDecimals !== undefined || f.thousands !== undefined || f.signed !== undefined)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: 'impliedDecimals, thousands and signed apply to decimals only',
      });
    }
  });
export type FieldSpec = z.infer<typeof fieldSpecSchema>;

const fixedWidthFormat = z.strictObject({
  type: z.literal('fixed-width'),
  encoding: z.enum(ENCODINGS).default('ascii'),
  recordType: position,
  header: z.strictObject({
    code: z.string().min(1),
    fields: z.partialRecord(z.enum(HEADER_FIELDS), fieldSpecSchema),
  }),
  detailCode: z.string().min(1),
  /**
   * Whether a detail record may run past the layout's record length (the end of its last field) with
   * spaces, as when records are padded to a fixed length. Off, any character past it rejects the record.
   */
  allowTrailingSpaces: z.boolean().default(false),
  trailer: z.strictObject({
    code: z.string().min(1),
    recordCount: position,
    hashTotal: position.optional(),
  }),
});

const csvFormat = z.strictObject({
  type: z.literal('csv'),
  encoding: z.enum(ENCODINGS).default('utf-8'),
  delimiter: z.string().length(1).default(','),
  quote: z.string().length(1).default('"'),
  /**
   * Whether a quoted field may hold line breaks. Off, each physical line is one record, so a stray quote
   * costs only its own line; on, a record may span lines up to maxRecordSize.
   */
  multilineFields: z.boolean().default(false),
  /** Longest record in characters: a longer one is a rejected row keeping only its start, so memory stays flat. */
  maxRecordSize: z
    .int()
    .min(1_024)
    .max(16 * 1024 * 1024)
    .default(256 * 1024),
  /** Whether a header with no records below it loads (a day with nothing to report) or refuses the file. */
  allowEmpty: z.boolean().default(false),
});

const xmlFormat = z.strictObject({
  type: z.literal('xml'),
  encoding: z.literal('utf-8').default('utf-8'),
  root: z.string().min(1),
  record: z.string().min(1),
  header: z.partialRecord(z.enum(HEADER_FIELDS), fieldSpecSchema).default({}),
});

export const profileSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    description: z.string().default(''),
    source: z.enum(SOURCES),
    entity: z.enum(ENTITIES),
    reportId: z.string().min(1),
    /** File-name pattern; named groups `participant`, `businessDate` (YYYYMMDD) and `generation` (HHMM) are used. */
    match: z.string().min(1),
    format: z.discriminatedUnion('type', [fixedWidthFormat, csvFormat, xmlFormat]),
    fields: z.record(z.string(), fieldSpecSchema),
    /** Canonical values for fields the layout does not carry (e.g. BOS has no trade type). */
    defaults: z.record(z.string(), z.string()).default({}),
    /**
     * A companion file the publisher writes once the data file is whole (`{name}.done`, `{stem}.ok`):
     * fetch takes the file only once it is listed, and a loaded file with it beside is known complete.
     */
    completeness: z
      .strictObject({
        marker: z
          .string()
          .regex(
            /^[^/\\]*\{(name|stem)\}[^/\\]*$/,
            'a file name template with {name} or {stem}, e.g. {name}.done',
          )
          .refine((t) => t !== '{name}', 'the marker must differ from the file name'),
      })
      .optional(),
    control: z
      .strictObject({
        hashTotal: z.strictObject({ of: z.array(z.string()).min(1), digits: z.int().min(1).max(38) }),
      })
      .partial()
      .default({}),
  })
  .superRefine((p, ctx) => {
    const allowed = profileFieldNames(p.entity);
    for (const [name, spec] of Object.entries(p.fields)) {
      if (!allowed.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['fields', name],
          message: `not a ${p.entity} field; expected one of ${allowed.join(', ')}`,
        });
      }
      const positional = Array.isArray(spec.from);
      if (positional !== (p.format.type === 'fixed-width')) {
        ctx.addIssue({
          code: 'custom',
          path: ['fields', name, 'from'],
          message:
            p.format.type === 'fixed-width'
              ? 'fixed-width fields need from: [start, length]'
              : `${p.format.type} fields need from: "<name>"`,
        });
      }
    }
    for (const name of Object.keys(p.defaults)) {
      if (!allowed.includes(name))
        ctx.addIssue({ code: 'custom', path: ['defaults', name], message: `not a ${p.entity} field` });
    }
    for (const name of p.control.hashTotal?.of ?? []) {
      if (!(name in p.fields))
        ctx.addIssue({
          code: 'custom',
          path: ['control', 'hashTotal', 'of'],
          message: `${name} is not a field of this profile`,
        });
    }
    try {
      new RegExp(p.match);
    } catch {
      ctx.addIssue({ code: 'custom', path: ['match'], message: 'not a valid regular expression' });
    }
    const has = (...names: string[]) => names.every((n) => n in p.fields || n in p.defaults);
    const need = (ok: boolean, message: string) => {
      if (!ok) ctx.addIssue({ code: 'custom', path: ['fields'], message });
    };
    if (p.entity !== 'account_map') {
      need(
        has('series') || has('root', 'instrumentType', 'expiry'),
        'needs series, or root + instrumentType + expiry (+ strike)',
      );
      need(has('account') || has('clientCode'), 'needs account or clientCode');
    }
    if (p.entity === 'trades') {
      need(has('side', 'quantity', 'price'), 'needs side, quantity and price');
      need(
        has('clearingDate') || has('execDate', 'execTime') || has('execAt'),
        'needs clearingDate, or the execution date and time to derive it',
      );
    }
    if (p.entity === 'positions') {
      need(has('positionDate'), 'needs positionDate');
      need(has('long', 'short') || has('netQuantity'), 'needs long + short, or netQuantity');
    }
    if (p.entity === 'account_map')
      need(
        has('clientCode', 'dcassAccount', 'accountType', 'effectiveFrom'),
        'needs clientCode, dcassAccount, accountType and effectiveFrom',
      );
  });

/** A validated profile, with its file for messages. */
export type Profile = z.infer<typeof profileSchema> & { readonly file: string };
