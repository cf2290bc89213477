import type { ResolvedConfig } from '../config/config.js';
import {
  DEFAULT_FETCH_COMPLETENESS,
  DEFAULT_REPORT_PATTERNS,
  resolveSftpSecrets,
} from '../config/sftp-config.js';
import type { FetchReportsOptions } from '../ingest/acquire/fetch.js';
import { LocalFolderSource } from '../ingest/acquire/local-folder-source.js';
import { SftpSource } from '../ingest/acquire/sftp-source.js';
import { DcassError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/** What to fetch: a business date's reports, from RRS over SFTP or from a folder of saved exports. */
export interface FetchRequest {
  /** Business date, `YYYY-MM-DD` or `YYYYMMDD`. */
  readonly date: string;
  /** Report ids to fetch; every configured one when absent. */
  readonly only?: readonly string[];
  /** An absolute folder of DCASS Online exports to take instead of SFTP (the Sunday verification day). */
  readonly from?: string;
}

/** Where a fetch reads, what it takes and within which limits: `fetchReports`'s options less the run's own. */
export type FetchPlan = Pick<
  FetchReportsOptions,
  | 'source'
  | 'participant'
  | 'date'
  | 'reports'
  | 'only'
  | 'inboxDir'
  | 'totalMs'
  | 'retries'
  | 'concurrency'
  | 'completeness'
>;

/**
 * The fetch policy: a folder of saved exports is read once, without retries, into the configured
 * inbox (the sftp: section's, else inputs.dcass) for the configured participant; otherwise the
 * sftp: section says everything, and its passphrase is read from the variable it names in `env`.
 * Refuses, before anything is opened, a fetch the configuration cannot serve.
 */
export function planFetch(
  config: ResolvedConfig,
  request: FetchRequest,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): FetchPlan {
  const sftp = config.sftp;
  const wanted = {
    date: request.date,
    ...(request.only === undefined ? {} : { only: request.only }),
  };
  if (request.from !== undefined) {
    const participant = sftp?.participant ?? config.participant?.code;
    const inboxDir = sftp?.inboxDir ?? config.inputs.dcass;
    if (participant === undefined || inboxDir === undefined) {
      throw new DcassError(
        'USAGE',
        '--from needs the participant code and an inbox folder from the configuration',
        {
          hint: 'set participant.code and inputs.dcass (or an sftp: section) in the configuration file',
        },
      );
    }
    return {
      ...wanted,
      source: new LocalFolderSource(request.from),
      participant,
      reports: sftp?.reports ?? DEFAULT_REPORT_PATTERNS,
      inboxDir,
      totalMs: sftp?.timeouts.totalMs ?? 15 * 60_000,
      retries: { count: 0, backoffMs: 0 },
      concurrency: 2,
      completeness: sftp?.completeness ?? DEFAULT_FETCH_COMPLETENESS,
    };
  }
  if (sftp === null) {
    throw new DcassError(
      'CONFIG_INVALID',
      'the configuration has no sftp: section, so there is nothing to fetch from',
      {
        location: config.configFile === null ? { path: 'sftp' } : { file: config.configFile, path: 'sftp' },
        hint: 'add sftp: { host, port, username, privateKeyFile, passphraseEnv, hostKeyFingerprints, participant, inboxDir }, or use --from DIR for saved exports',
      },
    );
  }
  // The one place the passphrase is read: from the variable the configuration names.
  const secrets = resolveSftpSecrets(sftp, env);
  if (sftp.passphraseEnv !== undefined && secrets.passphrase === undefined) {
    logger.warn(
      { variable: sftp.passphraseEnv },
      'the passphrase variable named in sftp.passphraseEnv is not set',
    );
  }
  return {
    ...wanted,
    source: new SftpSource({ config: sftp, secrets, logger }),
    participant: sftp.participant,
    reports: sftp.reports,
    inboxDir: sftp.inboxDir,
    totalMs: sftp.timeouts.totalMs,
    retries: sftp.retries,
    concurrency: sftp.concurrency,
    completeness: sftp.completeness,
  };
}
