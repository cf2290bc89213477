import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fingerprintOf,
  normaliseFingerprint,
  pinnedHostVerifier,
  type HostKeyObservation,
} from '../../src/ingest/acquire/host-key.js';

const keyBlob = (seed: string): Buffer => Buffer.from(`ssh-ed25519 test key ${seed}`);

describe('fingerprintOf', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dcass-hostkey-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('agrees with ssh-keygen -l -E sha256 when ssh-keygen exists', () => {
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'k')], {
        stdio: 'ignore',
      });
    } catch {
      return; // no OpenSSH client tools here; the integration tests cover the real server
    }
    const pub = readFileSync(path.join(dir, 'k.pub'), 'utf8');
    const blob = Buffer.from(pub.split(' ')[1]!, 'base64');
    const expected = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(dir, 'k.pub')], {
      encoding: 'utf8',
    }).split(' ')[1];
    expect(fingerprintOf(blob)).toBe(expected);
  });

  it('has the OpenSSH shape: SHA256: and 43 base64 characters, no padding', () => {
    expect(fingerprintOf(keyBlob('a'))).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('normalises padded fingerprints', () => {
    const fp = fingerprintOf(keyBlob('a'));
    expect(normaliseFingerprint(` ${fp}= `)).toBe(fp);
  });
});

describe('pinnedHostVerifier', () => {
  it('returns exactly true for a pinned key and exactly false otherwise (ssh2 denies only on false)', () => {
    const seen: HostKeyObservation[] = [];
    const verify = pinnedHostVerifier([fingerprintOf(keyBlob('a'))], (o) => seen.push(o));
    expect(verify(keyBlob('a'))).toBe(true);
    expect(verify(keyBlob('b'))).toBe(false);
    expect(seen.map((o) => o.accepted)).toEqual([true, false]);
    expect(seen[1]!.offered).toBe(fingerprintOf(keyBlob('b')));
  });

  it('is synchronous: the return value is a boolean, never a Promise', () => {
    const verify = pinnedHostVerifier([], () => undefined);
    const ret: unknown = verify(keyBlob('a'));
    expect(typeof ret).toBe('boolean');
    expect(ret).toBe(false);
  });

  it('accepts any of several pins (key rotation)', () => {
    const verify = pinnedHostVerifier(
      [fingerprintOf(keyBlob('old')), `${fingerprintOf(keyBlob('new'))}=`],
      () => undefined,
    );
    expect(verify(keyBlob('old'))).toBe(true);
    expect(verify(keyBlob('new'))).toBe(true);
    expect(verify(keyBlob('other'))).toBe(false);
  });
});
