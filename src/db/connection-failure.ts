import { DcassError } from '../shared/errors.js';

/**
 * How long the first connection may take before the server is reported as not answering. Only the
 * first connection has a limit: the pool's own limit would also count the wait for a free client
 * behind a long transaction.
 */
const CONNECT_TIMEOUT_MS = 10_000;

/** Opens and closes one connection to the server, with a time limit; throws what pg threw. */
export async function probeServer(url: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A socket error after connect (the server going away at once) must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The parts of a connection URL the messages name; never its password. */
interface ServerAddress {
  readonly host: string;
  readonly port: string;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

function addressOf(url: string): ServerAddress {
  try {
    const u = new URL(url);
    const user = decodeURIComponent(u.username);
    return {
      host: u.hostname || 'localhost',
      port: u.port || '5432',
      database: decodeURIComponent(u.pathname.slice(1)) || user,
      user,
      password: decodeURIComponent(u.password),
    };
  } catch {
    return { host: '(unreadable URL)', port: '', database: '', user: '', password: '' };
  }
}

/** A connection error's code (a socket's errno name or a SQLSTATE), looking through wrappers. */
function codeOf(err: unknown): string {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    // Node's "happy eyeballs" (localhost: ::1 and 127.0.0.1) reports every attempt in one error.
    const first = (e as { errors?: unknown[] }).errors?.[0];
    if (first instanceof Error) return codeOf(first);
  }
  return '';
}

const USE_DB = 'in --db / DATABASE_URL / the configuration key "database"';

/**
 * Why the first connection to a server failed, in words: refused (nothing listens there), unknown
 * host, no such database, authentication, no answer in time; each with what to do. The URL is shown
 * without its password, and the password is taken out of any text the server or driver sent.
 */
export function connectionFailure(url: string, cause: unknown, redacted: string): DcassError {
  const a = addressOf(url);
  const at = `${a.host}:${a.port}`;
  const code = codeOf(cause);
  const text = scrub(cause instanceof Error ? cause.message : String(cause), a.password);
  const fail = (why: string, hint: string) =>
    new DcassError('DB_UNREACHABLE', `cannot connect to the PostgreSQL server at ${redacted}: ${why}`, {
      hint,
      cause,
    });
  if (code === 'ECONNREFUSED')
    return fail(
      `connection refused at ${at}: no PostgreSQL server is running there`,
      `start the server (pg_isready -h ${a.host} -p ${a.port} tells whether it accepts connections), or correct the host and port ${USE_DB}`,
    );
  if (code === 'ENOTFOUND')
    return fail(
      `the host name ${a.host} is unknown (DNS lookup failed)`,
      `correct the host name ${USE_DB}, or check the network's name service`,
    );
  if (code === 'EAI_AGAIN')
    return fail(
      `the host name ${a.host} could not be looked up now (temporary DNS failure)`,
      'check the network and its name service, then run the command again',
    );
  if (code === '3D000')
    return fail(
      `the server at ${at} has no database "${a.database}"`,
      `create it (createdb -h ${a.host} -p ${a.port} ${a.database}), or correct the database name at the end of the URL ${USE_DB}`,
    );
  if (code === '28P01' || code === '28000' || /password must be a string|SASL/i.test(text))
    return fail(
      `the server at ${at} refused user "${a.user}": ${text}`,
      `check the user and password ${USE_DB} (or PGPASSWORD, ~/.pgpass), and that the server's pg_hba.conf admits this host`,
    );
  if (code === 'ETIMEDOUT' || /timeout/i.test(text))
    return fail(
      `the server at ${at} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`,
      `check the host and port ${USE_DB}, and that no firewall drops the connection`,
    );
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return fail(
      `no network route to ${a.host} (${code})`,
      'check the network connection and the host name, then run the command again',
    );
  if (code === '57P03')
    return fail(
      `the server at ${at} is starting up or shutting down (${text})`,
      'wait until it accepts connections (pg_isready), then run the command again',
    );
  if (code === '53300')
    return fail(
      `the server at ${at} has no free connection (${text})`,
      'wait for other clients to finish or raise max_connections, then run the command again',
    );
  return fail(text, `check that the server runs and that the URL ${USE_DB} is right`);
}

/** A driver message with the password taken out, should one ever quote it. */
function scrub(text: string, password: string): string {
  return password === '' ? text : text.split(password).join('***');
}
