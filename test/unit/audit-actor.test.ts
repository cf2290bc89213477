import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  actorSchema,
  checkActor,
  normaliseActor,
  resolveActor,
  samePerson,
} from '../../src/audit/actor.js';
import { assertExactDetails } from '../../src/audit/chain.js';
import { osIdentity } from '../../src/shared/os-identity.js';
import { resolveConfig } from '../../src/config/config.js';

describe('resolveActor: --actor, else the configuration, else the OS user', () => {
  const config = { actor: 'chan.tai.man' };

  it('takes the flag first, trimmed', () => {
    expect(resolveActor({ flag: '  wong.siu.ming ', config })).toBe('wong.siu.ming');
  });

  it('takes the configuration without a flag', () => {
    expect(resolveActor({ config })).toBe('chan.tai.man');
    expect(resolveActor({ flag: undefined, config })).toBe('chan.tai.man');
  });

  it('falls back to the operating-system user', () => {
    expect(resolveActor({ config: { actor: null } })).toBe(userInfo().username);
    expect(resolveActor()).toBe(userInfo().username);
  });

  it('refuses an empty or unprintable --actor with a usage error', () => {
    expect(() => resolveActor({ flag: '  ' })).toThrow('--actor "" is not a usable name: it is empty');
    expect(() => resolveActor({ flag: 'eve\u001b[2K' })).toThrow(
      expect.objectContaining({
        code: 'USAGE',
        message:
          '--actor "eve\\u001b[2K" is not a usable name: it holds the invisible or control character U+001B',
      }),
    );
  });

  it('reads actor: from the configuration file, validated like every key', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dcass-actor-'));
    const file = path.join(dir, 'dcass-recon.yaml');
    writeFileSync(file, 'participant: { code: CABC }\nactor: chan.tai.man\n');
    expect(resolveConfig({ cwd: dir, configFile: file }).actor).toBe('chan.tai.man');
    writeFileSync(file, 'participant: { code: CABC }\n');
    expect(resolveConfig({ cwd: dir, configFile: file }).actor).toBeNull();
    writeFileSync(file, 'participant: { code: CABC }\nactor: ""\n');
    expect(() => resolveConfig({ cwd: dir, configFile: file })).toThrow(/dcass-recon\.yaml:2.*actor/);
    writeFileSync(file, 'participant: { code: CABC }\nactor: "\uff43\uff48\uff41\uff4e"\n');
    expect(resolveConfig({ cwd: dir, configFile: file }).actor).toBe('chan');
    writeFileSync(file, 'participant: { code: CABC }\nactor: "chan\u200b"\n');
    expect(() => resolveConfig({ cwd: dir, configFile: file })).toThrow(
      /dcass-recon\.yaml:2.*actor.*U\+200B/,
    );
  });
});

describe('actor names: Unicode NFKC, trimmed, nothing invisible', () => {
  it('writes fullwidth and compatibility forms as their plain letters', () => {
    expect(resolveActor({ flag: '\uff41\uff4c\uff49\uff43\uff45' })).toBe('alice');
    expect(resolveActor({ config: { actor: ' \u00a0chan.tai.man\u3000' } })).toBe('chan.tai.man');
    expect(normaliseActor('\ufb01ona', 'the actor')).toBe('fiona');
  });

  it.each([
    ['U+200B zero width space', 'alice\u200b', 'U+200B'],
    ['U+200D zero width joiner', 'al\u200dice', 'U+200D'],
    ['U+FEFF byte-order mark', '\ufeffalice', 'U+FEFF'],
    ['U+2060 word joiner', 'ali\u2060ce', 'U+2060'],
    ['U+202E right-to-left override', 'alice\u202e', 'U+202E'],
    ['U+0007 bell', 'alice\u0007', 'U+0007'],
  ])('refuses a name holding %s, naming the character', (_what, name, code) => {
    expect(() => resolveActor({ flag: name })).toThrow(
      expect.objectContaining({
        code: 'USAGE',
        message: expect.stringContaining(`it holds the invisible or control character ${code}`),
      }),
    );
    expect(() => resolveActor({ config: { actor: name } })).toThrow(
      /the configuration's actor .* is not a usable name/,
    );
    expect(actorSchema.safeParse(name).success).toBe(false);
  });

  it('the configuration schema applies the same rules and gives the normal form', () => {
    expect(actorSchema.parse('  \uff41\uff4c\uff49\uff43\uff45 ')).toBe('alice');
    const refused = actorSchema.safeParse('bob\u200b');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toMatch(
      /without invisible or control characters \(it holds the invisible or control character U\+200B\)/,
    );
    expect(actorSchema.safeParse('x'.repeat(201)).success).toBe(false);
    expect(actorSchema.safeParse(' ').success).toBe(false);
  });

  it('samePerson: one person whatever the case, width, spacing or an invisible character recorded earlier', () => {
    expect(samePerson('alice', 'ALICE')).toBe(true);
    expect(samePerson('alice', '\uff41\uff4c\uff49\uff43\uff45')).toBe(true);
    expect(samePerson('alice', 'alice\u200b')).toBe(true);
    expect(samePerson('Chan  Tai Man', 'chan tai man')).toBe(true);
    expect(samePerson('alice', 'alicia')).toBe(false);
    expect(samePerson('alice', 'bob')).toBe(false);
  });

  it('the audit trail takes names only in their normal form', () => {
    expect(() => checkActor('alice', 'the audit event actor')).not.toThrow();
    expect(() => checkActor(' alice', 'the audit event actor')).toThrow(/not in its normal form/);
    expect(() => checkActor('alice\u200b', 'the audit event actor')).toThrow(/U\+200B/);
  });

  it('knows the operating-system user and host of the process', () => {
    expect(osIdentity()).toEqual({ user: userInfo().username, host: hostname() });
  });
});

describe('audit details hold exact values only', () => {
  it('accepts strings, safe integers, booleans, null, arrays and plain objects', () => {
    expect(() =>
      assertExactDetails({
        qty: '1234.50',
        rows: 12,
        ok: true,
        none: null,
        list: [1, 'a', { x: [] }],
        skip: undefined,
      }),
    ).not.toThrow();
  });

  it.each([
    [{ price: 0.1 }, /details\.price: 0\.1 is not an exact integer; write decimals as strings/],
    [{ n: 2 ** 53 }, /not an exact integer/],
    [{ when: new Date(0) }, /only plain objects/],
    [{ list: [1, Number.NaN] }, /details\.list\[1\]: NaN/],
    [{ big: 1n }, /a bigint is not JSON/],
  ])('refuses %o', (details, message) => {
    expect(() => assertExactDetails(details)).toThrow(message);
  });
});
