import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { actorSchema } from '../audit/actor.js';
import { standardFontProblem } from '../shared/standard-font.js';
import { DEFAULT_EXPECTED_INPUTS, expectedInputsSchema, type ExpectedInput } from './expected-inputs.js';
import { CLEARING_HOUSES, SOURCES, type ClearingHouse, type Source } from '../model/vocabulary.js';
import { deepFreeze } from '../shared/deep-freeze.js';
import { productsSchema, resolveProducts } from './products.js';
import { builtinPath } from '../shared/package-root.js';
import { sftpConfigSchema, type SftpConfig } from './sftp-config.js';
import { loadValidatedFile } from './yaml-file.js';

/** Name of the configuration file looked for in the working folder when --config is not given. */
const DEFAULT_CONFIG_FILE = 'dcass-recon.yaml';
/** The embedded database folder used when nothing else names a database. */
const DEFAULT_DB_DIR = path.join('.dcass-recon', 'db');

const folder = z.string().min(1);

/** The clearing houses a participant without `clearingHouses` is taken to be in, for the confirmation's box. */
const DEFAULT_HOUSES: readonly ClearingHouse[] = ['HKCC'];

// Text printed in the confirmation PDF: required, and printable in its standard font.
const pdfText = z
  .string()
  .trim()
  .min(1)
  .superRefine((text, ctx) => {
    const problem = standardFontProblem(text);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });
const contactSchema = z.strictObject(
  {
    name: pdfText,
    phone: pdfText.pipe(
      z
        .string()
        .regex(
          /^\+?[0-9][0-9 ()-]{6,}[0-9](\s*(ext\.?|x)\s*[0-9]+)?$/i,
          'a telephone number such as +852 2555 0101',
        ),
    ),
    email: z.email('an e-mail address such as ops@example.com'),
  },
  { error: (issue) => (issue.input === undefined ? 'a contact: name, phone and email' : undefined) },
);

/** Appendix E, the confirmation for post-release verification: who confirms, who to call, who signs. */
const confirmationSchema = z.strictObject({
  /** Default: participant.name. */
  fullName: pdfText.optional(),
  /** Default: from participant.clearingHouses. */
  clearingHouse: z.enum(['HKCC', 'SEOCH', 'Both']).optional(),
  /** Default: participant.code. */
  customerCode: z
    .string()
    .regex(/^[A-Z0-9]{1,5}$/, 'a DCASS customer code such as CABC')
    .optional(),
  contacts: z.strictObject({ primary: contactSchema, alternate: contactSchema }),
  signatories: z.array(pdfText).min(1, 'at least one signatory name'),
  /** The Sunday Post-Release Verification Session; the confirmation is due that day at dueTime, Hong Kong time. */
  sessionDate: z.iso.date('a date written YYYY-MM-DD').default('2019-05-05'),
  dueTime: z.iso.time({ precision: -1, message: 'a time written HH:MM' }).default('12:30'),
});

/** Folders below an input folder that `ingest --all` does not read, unless the configuration says otherwise. */
export const DEFAULT_EXCLUDED_FOLDERS = ['archive', 'old'] as const;

/** The configuration file: who the participant is, where inputs are, which profiles and calendar apply. */
const configSchema = z.strictObject({
  participant: z.strictObject({
    code: z.string().regex(/^[A-Z0-9]{1,5}$/, 'a DCASS customer code such as CABC'),
    name: z.string().default(''),
    /**
     * The clearing houses the CP is a member of. One house: runs, reports and the confirmation cover
     * that house only unless told otherwise. Absent: nothing is hidden (the confirmation says HKCC).
     */
    clearingHouses: z
      .array(z.enum(CLEARING_HOUSES))
      .min(1)
      .refine((houses) => new Set(houses).size === houses.length, 'each clearing house once')
      .optional(),
  }),
  /** Series root -> clearing house, over the built-in product table (products.ts). */
  products: productsSchema.optional(),
  database: z.string().min(1).optional(),
  profiles: z.array(folder).default([]),
  calendar: z.string().min(1).default('builtin:hk-2019'),
  inputs: z
    .strictObject({
      genium: folder.optional(),
      dcass: folder.optional(),
      bos: folder.optional(),
      /**
       * Folders `ingest --all` leaves out wherever they are below an input folder (names, compared
       * ignoring case): old copies kept there must not load after, and so supersede, the files in force.
       */
      excludeFolders: z
        .array(z.string().regex(/^[^/\\]+$/, 'a folder name, without / or \\'))
        .default([...DEFAULT_EXCLUDED_FOLDERS]),
    })
    .default({ excludeFolders: [...DEFAULT_EXCLUDED_FOLDERS] }),
  sftp: sftpConfigSchema.optional(),
  confirmation: confirmationSchema.optional(),
  /** Who the audit trail records as acting when --actor is not given (else the OS user). */
  actor: actorSchema.optional(),
  /** What each business date needs, per source and entity (default: the reference set). */
  expected: expectedInputsSchema.optional(),
  /** The break workflow: reason codes people may give, and whether resolving needs a second person. */
  breaks: z
    .strictObject({
      reasonCodes: z
        .array(z.string().regex(/^[A-Z][A-Z0-9_]{0,39}$/, 'a code such as LATE_BOOKING'))
        .default([]),
      fourEyes: z.boolean().default(false),
    })
    .default({ reasonCodes: [], fourEyes: false }),
});

// Checks across sections, applied when the file is read. The confirmation's full name defaults to
// participant.name, which may be blank: one of them must say it.
const configFileSchema = configSchema.superRefine((config, ctx) => {
  if (
    config.confirmation &&
    config.confirmation.fullName === undefined &&
    config.participant.name.trim() === ''
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['confirmation', 'fullName'],
      message: "the participant's full name: set confirmation.fullName or participant.name",
    });
  }
});

/** The confirmation section resolved: every default applied. */
export interface ConfirmationConfig {
  readonly fullName: string;
  readonly clearingHouse: 'HKCC' | 'SEOCH' | 'Both';
  readonly customerCode: string;
  readonly contacts: {
    readonly primary: ConfirmationContact;
    readonly alternate: ConfirmationContact;
  };
  readonly signatories: readonly string[];
  /** YYYY-MM-DD. */
  readonly sessionDate: string;
  /** HH:MM, Hong Kong time. */
  readonly dueTime: string;
}

/** A contact person printed on the confirmation. */
export interface ConfirmationContact {
  readonly name: string;
  readonly phone: string;
  readonly email: string;
}

/** Configuration resolved once at the entry point: absolute paths, defaults applied, frozen. */
export interface ResolvedConfig {
  readonly configFile: string | null;
  readonly participant: {
    readonly code: string;
    readonly name: string;
    readonly clearingHouses: readonly ClearingHouse[];
  } | null;
  /**
   * The one clearing house a CP declared itself a member of (participant.clearingHouses of one
   * house): what runs, reports and the confirmation cover by default. Null: every house.
   */
  readonly houseScope: ClearingHouse | null;
  /** Series root -> clearing house: the built-in product table with the configuration's `products:` over it. */
  readonly products: Readonly<Record<string, ClearingHouse>>;
  readonly database: string;
  readonly profileDirs: readonly string[];
  readonly calendarFile: string;
  readonly inputs: Readonly<Partial<Record<Source, string>>>;
  /** Folder names below the input folders that `ingest --all` leaves out (inputs.excludeFolders). */
  readonly inputExcludeFolders: readonly string[];
  readonly sftp: SftpConfig | null;
  /** The Appendix E confirmation's details; null when the file has no confirmation section. */
  readonly confirmation: ConfirmationConfig | null;
  /** The audit trail's actor when --actor is not given; null: the operating-system user. */
  readonly actor: string | null;
  /** The break workflow's rules. */
  readonly breaks: { readonly reasonCodes: readonly string[]; readonly fourEyes: boolean };
  /** The inputs each business date needs (the configuration's `expected:`, else the reference set). */
  readonly expected: readonly ExpectedInput[];
}

/**
 * Resolves configuration from the file (given, or ./dcass-recon.yaml when present) and the few
 * values the entry point passes in. The database is --db, else DATABASE_URL, else the file's, else
 * the embedded folder.
 */
export function resolveConfig(options: {
  configFile?: string;
  db?: string;
  databaseUrl?: string;
  cwd: string;
}): ResolvedConfig {
  const given = options.configFile !== undefined ? path.resolve(options.cwd, options.configFile) : null;
  const fallback = path.resolve(options.cwd, DEFAULT_CONFIG_FILE);
  const file = given ?? (existsSync(fallback) ? fallback : null);
  const raw = file === null ? null : loadValidatedFile(file, configFileSchema, 'CONFIG_INVALID');
  const base = file === null ? options.cwd : path.dirname(file);
  const at = (p: string) => (/^postgres(ql)?:\/\//i.test(p) || p === 'memory://' ? p : path.resolve(base, p));
  const calendar = raw?.calendar ?? 'builtin:hk-2019';
  const inputs: Partial<Record<Source, string>> = {};
  for (const k of SOURCES) {
    const v = raw?.inputs[k];
    if (v !== undefined) inputs[k] = at(v);
  }
  const sftp = raw?.sftp
    ? { ...raw.sftp, privateKeyFile: at(raw.sftp.privateKeyFile), inboxDir: at(raw.sftp.inboxDir) }
    : null;
  return deepFreeze({
    configFile: file,
    participant: raw
      ? { ...raw.participant, clearingHouses: raw.participant.clearingHouses ?? DEFAULT_HOUSES }
      : null,
    houseScope: raw?.participant.clearingHouses?.length === 1 ? raw.participant.clearingHouses[0]! : null,
    products: resolveProducts(raw?.products),
    database:
      options.db ??
      options.databaseUrl ??
      (raw?.database !== undefined ? at(raw.database) : path.resolve(options.cwd, DEFAULT_DB_DIR)),
    profileDirs: (raw?.profiles ?? []).map(at),
    calendarFile: calendar.startsWith('builtin:')
      ? builtinPath('calendars', `${calendar.slice('builtin:'.length)}.yaml`)
      : at(calendar),
    inputs,
    inputExcludeFolders: raw?.inputs.excludeFolders ?? DEFAULT_EXCLUDED_FOLDERS,
    sftp,
    confirmation: raw?.confirmation ? resolveConfirmation(raw) : null,
    actor: raw?.actor ?? null,
    breaks: raw?.breaks ?? { reasonCodes: [], fourEyes: false },
    expected: raw?.expected ?? DEFAULT_EXPECTED_INPUTS,
  });
}

function resolveConfirmation(raw: z.infer<typeof configSchema>): ConfirmationConfig {
  const c = raw.confirmation!;
  const houses = raw.participant.clearingHouses ?? DEFAULT_HOUSES;
  return {
    fullName: c.fullName ?? raw.participant.name.trim(),
    clearingHouse:
      c.clearingHouse ?? (houses.includes('HKCC') && houses.includes('SEOCH') ? 'Both' : houses[0]!),
    customerCode: c.customerCode ?? raw.participant.code,
    contacts: c.contacts,
    signatories: c.signatories,
    sessionDate: c.sessionDate,
    dueTime: c.dueTime,
  };
}
