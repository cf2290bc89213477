import { describe, expect, it } from 'vitest';
import { explainDatabaseError } from '../../src/db/connect.js';
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
