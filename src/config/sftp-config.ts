import { z } from 'zod';

/** OpenSSH's SHA256 fingerprint form: `SHA256:` and 43 unpadded base64 characters. */
const FINGERPRINT_PATTERN = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

const HOW_TO_PIN =
  'pin the server key: run `ssh-keyscan -p PORT HOST | ssh-keygen -lf -` on a trusted network, check the ' +
  'fingerprint against the one HKEX published, and list it under sftp.hostKeyFingerprints';

/** Default report name templates: RRS names a report `<REPORT>_<PARTICIPANT>_<YYYYMMDD>_<HHMM>.<xml|csv>`. */
export const DEFAULT_REPORT_PATTERNS: Readonly<Record<string, string>> = Object.freeze({
  TRD001: 'TRD001_{participant}_{date}_{hhmm}.{ext}',
  POS001: 'POS001_{participant}_{date}_{hhmm}.{ext}',
});

const timeoutsSchema = z
  .object({
    /** TCP connect, key exchange and authentication together. */
    connectMs: z.number().int().positive().default(20_000),
    /** Longest silence of the server while a listing or transfer is under way. */
    idleMs: z.number().int().positive().default(30_000),
    /** The whole fetch of one date, retries included. */
    totalMs: z
      .number()
      .int()
      .positive()
      .default(15 * 60_000),
  })
  .strict();

const retriesSchema = z
  .object({
    /** Extra attempts after the first one, for transient failures only. */
    count: z.number().int().min(0).max(10).default(3),
    /** First backoff; doubles on every further attempt. */
    backoffMs: z.number().int().min(0).default(2_000),
  })
  .strict();

/** Waiting for remote files to stop changing, in milliseconds (sftp.completeness). */
export const DEFAULT_FETCH_COMPLETENESS = Object.freeze({ stableMs: 5_000, maxWaitMs: 2 * 60_000 });

const completenessSchema = z
  .object({
    /**
     * Milliseconds a remote file's size and modification time must stay unchanged before it is
     * taken (a report still being written keeps growing); 0 takes files as listed.
     */
    stableMs: z
      .number()
      .int()
      .min(0)
      .max(10 * 60_000)
      .default(DEFAULT_FETCH_COMPLETENESS.stableMs),
    /** Milliseconds to wait for files to settle; a file still changing after it is left for the next fetch. */
    maxWaitMs: z
      .number()
      .int()
      .min(0)
      .default(DEFAULT_FETCH_COMPLETENESS.maxWaitMs),
  })
  .strict();

/** The `sftp:` section of the configuration file (RRS connection and report selection). */
export const sftpConfigSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535).default(22),
    username: z.string().min(1),
    privateKeyFile: z.string().min(1),
    passphraseEnv: z
      .string()
      .regex(
        /^[A-Za-z_][A-Za-z0-9_]*$/,
        'the NAME of an environment variable holding the passphrase, never the passphrase itself',
      )
      .optional(),
    hostKeyFingerprints: z
      .array(
        z
          .string()
          .regex(FINGERPRINT_PATTERN, `expected an OpenSSH fingerprint such as SHA256:${'A'.repeat(43)}`),
        {
          error: `hostKeyFingerprints is required: ${HOW_TO_PIN}`,
        },
      )
      .min(1, `at least one host key fingerprint is required: ${HOW_TO_PIN}`),
    remoteRoot: z.string().startsWith('/').default('/'),
    participant: z.string().regex(/^[A-Za-z0-9]{1,12}$/, 'a DCASS customer code such as CABC'),
    reports: z
      .record(z.string().regex(/^[A-Z0-9]{3,12}$/), z.string().min(1))
      .refine((r) => Object.keys(r).length > 0, 'at least one report pattern')
      .default({ ...DEFAULT_REPORT_PATTERNS }),
    inboxDir: z.string().min(1),
    timeouts: timeoutsSchema.default({ connectMs: 20_000, idleMs: 30_000, totalMs: 15 * 60_000 }),
    retries: retriesSchema.default({ count: 3, backoffMs: 2_000 }),
    completeness: completenessSchema.default({ ...DEFAULT_FETCH_COMPLETENESS }),
    /** Files transferred at once over the one connection. */
    concurrency: z.number().int().min(1).max(8).default(4),
  })
  .strict();

/** The resolved `sftp:` section. */
export type SftpConfig = z.infer<typeof sftpConfigSchema>;

/** How to pin a host key, for messages. */
export function howToPin(host: string, port: number): string {
  return HOW_TO_PIN.replace('PORT', String(port)).replace('HOST', host);
}

/**
 * A secret value (key passphrase) that cannot leak by accident: JSON, string conversion and
 * util.inspect all print `[redacted]`; only `reveal()` hands out the value, at the point of use.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The secret itself; call only where it is handed to the SSH library. */
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'Secret([redacted])';
  }
}

/** Secrets of the SFTP connection, resolved at the entry point and kept out of the config object. */
export interface SftpSecrets {
  readonly passphrase?: Secret;
}

/** Reads the key passphrase from the named environment variable (the caller passes the environment). */
export function resolveSftpSecrets(
  config: Pick<SftpConfig, 'passphraseEnv'>,
  env: Readonly<Record<string, string | undefined>>,
): SftpSecrets {
  if (config.passphraseEnv === undefined) return {};
  const value = env[config.passphraseEnv];
  return value === undefined || value === '' ? {} : { passphrase: new Secret(value) };
}
