import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainDatabaseError } from '../../src/db/connect.js';
import { connectionFailure } from '../../src/db/connection-failure.js';
import { checkDatabaseTarget } from '../../src/db/database-target.js';
import { DcassError, isConnectionLost } from '../../src/shared/errors.js';

const URL_WITH_PASSWORD = 'postgres://recon:s3cret@db.example:5432/recon';

/** An error as pg builds it from a server's ErrorResponse. */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

describe('database errors for a person', () => {
  it('a lost connection, however wrapped, names the server without its password', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const wrapped = new DcassError('DB_QUERY_FAILED', 'reconciliation run of 2019-05-06 failed at "match"', {
      cause: reset,
    });
    const e = explainDatabaseError(wrapped, URL_WITH_PASSWORD) as DcassError;
    expect(e.code).toBe('DB_CONNECTION_LOST');
    expect(e.message).toBe(
      'lost the connection to the PostgreSQL server at postgres://recon:***@db.example:5432/recon (read ECONNRESET); ' +
        'reconciliation run of 2019-05-06 failed at "match"',
    );
    expect(e.message + e.hint!).not.toContain('s3cret');
    expect(e.hint).toContain('run the same command again');
  });

  it.each([
    ['57P01', 'terminating connection due to administrator command'],
    ['08006', 'connection failure'],
  ])('SQLSTATE %s is a lost connection', (code, message) => {
    expect(isConnectionLost(pgError(code, message))).toBe(true);
    expect((explainDatabaseError(pgError(code, message), URL_WITH_PASSWORD) as DcassError).code).toBe(
      'DB_CONNECTION_LOST',
    );
  });

  it('a statement the server refused says which, with its SQLSTATE and what to do', () => {
    const e = explainDatabaseError(
      pgError('53100', 'could not extend file: No space left on device'),
      URL_WITH_PASSWORD,
    );
    expect(e).toMatchObject({
      code: 'DB_QUERY_FAILED',
      message:
        'the PostgreSQL server at postgres://recon:***@db.example:5432/recon refused a statement: ' +
        'could not extend file: No space left on device (SQLSTATE 53100)',
      hint: 'the server ran out of disk, memory or connections: free them, then run the command again',
    });
    expect(isConnectionLost(pgError('53100', 'disk full'))).toBe(false);
  });

  it('leaves our own errors and other failures as they are', () => {
    const own = new DcassError('USAGE', 'bad date');
    expect(explainDatabaseError(own, URL_WITH_PASSWORD)).toBe(own);
    const bug = new TypeError('x is undefined');
    expect(explainDatabaseError(bug, '/data/recon')).toBe(bug);
  });
});

describe('the first connection to a server: the cause in words, never the password', () => {
  const redacted = 'postgres://recon:***@db.example:5432/recon';
  const errno = (code: string, message: string) => Object.assign(new Error(message), { code });

  it.each([
    [
      errno('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:5432'),
      'connection refused at db.example:5432: no PostgreSQL server is running there',
      'pg_isready -h db.example -p 5432',
    ],
    [
      errno('ENOTFOUND', 'getaddrinfo ENOTFOUND db.example'),
      'the host name db.example is unknown (DNS lookup failed)',
      'correct the host name',
    ],
    [
      pgError('3D000', 'database "recon" does not exist'),
      'the server at db.example:5432 has no database "recon"',
      'createdb -h db.example -p 5432 recon',
    ],
    [
      pgError('28P01', 'password authentication failed for user "recon"'),
      'the server at db.example:5432 refused user "recon": password authentication failed for user "recon"',
      'check the user and password',
    ],
    [
      new Error('Connection terminated due to connection timeout'),
      'the server at db.example:5432 did not answer within 10 s',
      'no firewall drops the connection',
    ],
  ])('%s', (cause, why, todo) => {
    const e = connectionFailure(URL_WITH_PASSWORD, cause, redacted);
    expect(e.code).toBe('DB_UNREACHABLE');
    expect(e.message).toBe(`cannot connect to the PostgreSQL server at ${redacted}: ${why}`);
    expect(e.hint).toContain(todo);
    expect(e.message + e.hint!).not.toContain('s3cret');
    // Explained once: the explanation of a failed command keeps it as it is.
    expect(explainDatabaseError(e, URL_WITH_PASSWORD)).toBe(e);
  });

  it('reads the code of every attempt of a host with two addresses (localhost: ::1 and 127.0.0.1)', () => {
    const both = new AggregateError([errno('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432')], 'x');
    expect(connectionFailure(URL_WITH_PASSWORD, both, redacted).message).toContain('connection refused');
  });

  it('takes the password out of any text a driver or server sends back', () => {
    const leak = pgError('28000', 'no entry for user "recon" with s3cret');
    const e = connectionFailure(URL_WITH_PASSWORD, leak, redacted);
    expect(e.message).toContain('with ***');
    expect(e.message).not.toContain('s3cret');
  });
});

describe('a --db value: a server URL, an embedded folder, or refused', () => {
  it.each([
    ['postgres://u@h/db', 'server'],
    ['postgresql://u@h:5433/db', 'server'],
    ['memory://', 'memory'],
    [tmpdir(), 'folder'],
    ['./recon-db', 'new-folder'],
    ['postgres-data/recon', 'new-folder'],
  ])('%s is a %s', (target, kind) => {
    expect(checkDatabaseTarget(target)).toBe(kind);
  });

  it.each([
    ['postgres//127.0.0.1/nc', 'it contains "//", as a URL whose ":" was lost does'],
    ['mysql://h/db', 'only postgres:// and postgresql:// URLs name a database'],
    ['localhost:5432/recon', 'it contains ":", as a URL or a host:port does'],
    ['postgres:/h/db', 'it contains ":", as a URL or a host:port does'],
    ['postgres@127.0.0.1/nc', 'it starts like a PostgreSQL URL without "://"'],
    ['postgresql/127.0.0.1/nc', 'it starts like a PostgreSQL URL without "://"'],
  ])('%s is refused: %s', (target, why) => {
    expect(() => checkDatabaseTarget(target)).toThrow(
      expect.objectContaining({
        code: 'USAGE',
        message: expect.stringContaining(
          `"${target}" is neither a PostgreSQL URL nor a plausible folder: ${why}`,
        ),
        hint: expect.stringContaining('postgres://user@host:port/database'),
      }),
    );
  });

  it('an existing file is not a database folder', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'dcass-target-')), 'notes.txt');
    writeFileSync(file, 'x');
    expect(() => checkDatabaseTarget(file)).toThrow(
      `the database ${file} is a file: an embedded database is a folder`,
    );
  });
});
