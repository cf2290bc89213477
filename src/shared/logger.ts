import pino, { type Logger } from 'pino';

export type { Logger };

/** Every key under which a secret could travel; pino replaces their values before writing. */
const REDACT_PATHS = [
  'password',
  'passphrase',
  'privateKey',
  'secret',
  'token',
  '*.password',
  '*.passphrase',
  '*.privateKey',
  '*.secret',
  '*.token',
  'sftp.password',
  'sftp.passphrase',
  'config.sftp.passphrase',
  'databaseUrl',
  '*.databaseUrl',
];

/** The product's one logger: JSON lines to stderr (stdout stays free for --json output). */
export function createLogger(
  options: { level?: string; destination?: NodeJS.WritableStream | pino.DestinationStream } = {},
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'dcass-recon' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.errWithCause },
    },
    (options.destination as pino.DestinationStream | undefined) ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that writes nothing, for library callers that do not want logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
