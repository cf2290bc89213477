import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveActor } from '../../src/audit/actor.js';
import { assertExactDetails } from '../../src/audit/chain.js';
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
    expect(() => resolveActor({ flag: '  ' })).toThrow(/--actor "" is not a usable name/);
    expect(() => resolveActor({ flag: 'eve\u001b[2K' })).toThrow(
      expect.objectContaining({ code: 'USAGE', message: '--actor "eve\\u001b[2K" is not a usable name' }),
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
