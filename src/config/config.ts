import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { builtinPath } from '../shared/package-root.js';
import { sftpConfigSchema, type SftpConfig } from './sftp-config.js';
import { loadValidatedFile } from './yaml-file.js';

/** Name of the configuration file looked for in the working folder when --config is not given. */
export const DEFAULT_CONFIG_FILE = 'dcass-recon.yaml';
/** The embedded database folder used when nothing else names a database. */
export const DEFAULT_DB_DIR = path.join('.dcass-recon', 'db');

const folder = z.string().min(1);

/** The configuration file: who the participant is, where inputs are, which profiles and calendar apply. */
export const configSchema = z.strictObject({
  participant: z.strictObject({
    code: z.string().regex(/^[A-Z0-9]{1,5}$/, 'a DCASS customer code such as CABC'),
    name: z.string().default(''),
    clearingHouses: z
      .array(z.enum(['HKCC', 'SEOCH']))
      .min(1)
      .default(['HKCC']),
  }),
  database: z.string().min(1).optional(),
  profiles: z.array(folder).default([]),
  calendar: z.string().min(1).default('builtin:hk-2019'),
  inputs: z
    .strictObject({ genium: folder.optional(), dcass: folder.optional(), bos: folder.optional() })
    .default({}),
  sftp: sftpConfigSchema.optional(),
});

/** Configuration resolved once at the entry point: absolute paths, defaults applied, frozen. */
export interface ResolvedConfig {
  readonly configFile: string | null;
  readonly participant: {
    readonly code: string;
    readonly name: string;
    readonly clearingHouses: readonly string[];
  } | null;
  readonly database: string;
  readonly profileDirs: readonly string[];
  readonly calendarFile: string;
  readonly inputs: Readonly<Partial<Record<'genium' | 'dcass' | 'bos', string>>>;
  readonly sftp: SftpConfig | null;
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
  const raw = file === null ? null : loadValidatedFile(file, configSchema, 'CONFIG_INVALID');
  const base = file === null ? options.cwd : path.dirname(file);
  const at = (p: string) => (/^postgres(ql)?:\/\//i.test(p) || p === 'memory://' ? p : path.resolve(base, p));
  const calendar = raw?.calendar ?? 'builtin:hk-2019';
  const inputs: Partial<Record<'genium' | 'dcass' | 'bos', string>> = {};
  for (const [k, v] of Object.entries(raw?.inputs ?? {})) if (v !== undefined) inputs[k as 'genium'] = at(v);
  const sftp = raw?.sftp
    ? { ...raw.sftp, privateKeyFile: at(raw.sftp.privateKeyFile), inboxDir: at(raw.sftp.inboxDir) }
    : null;
  return deepFreeze({
    configFile: file,
    participant: raw ? raw.participant : null,
    database:
      options.db ??
      options.databaseUrl ??
      (raw?.database !== undefined ? at(raw.database) : path.resolve(options.cwd, DEFAULT_DB_DIR)),
    profileDirs: (raw?.profiles ?? []).map(at),
    calendarFile: calendar.startsWith('builtin:')
      ? builtinPath('calendars', `${calendar.slice('builtin:'.length)}.yaml`)
      : at(calendar),
    inputs,
    sftp,
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
