import { afterEach, describe, expect, it, vi } from 'vitest';
import { out, safeText, table } from '../../src/cli/output.js';

const ATTACK = '\x1b]0;pwned\x07\x1b[2J';
const SHOWN = '\\u001b]0;pwned\\u0007\\u001b[2J';

/** True when text holds a control or format character other than the line breaks between lines. */
const unsafe = (text: string) => /[\p{Cc}\p{Cf}]/u.test(text.replaceAll('\n', ''));

/** Captures what `fn` writes to stdout and stderr. */
function capture(fn: () => void): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((stderr += String(c)), true));
  try {
    fn();
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { stdout, stderr };
}

describe('safeText: a value from data cannot drive the terminal', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows an OSC title and clear-screen sequence as escapes, with no ESC or BEL left', () => {
    expect(safeText(`bad ${ATTACK} price`)).toBe(`bad ${SHOWN} price`);
  });

  it.each([
    ['CR (overwrites the line)', 'a\rb', 'a\\u000db'],
    ['LF (forges a line)', 'a\nb', 'a\\u000ab'],
    ['tab', 'a\tb', 'a\\u0009b'],
    ['backspace', 'a\bb', 'a\\u0008b'],
    ['NUL', 'a\0b', 'a\\u0000b'],
    ['DEL', 'a\x7fb', 'a\\u007fb'],
    ['C1 CSI (U+009B, ESC [ on some terminals)', 'a\u009b2Jb', 'a\\u009b2Jb'],
    ['C1 OSC (U+009D)', 'a\u009d0;x\u009cb', 'a\\u009d0;x\\u009cb'],
    ['right-to-left override', 'abc\u202egpj.exe', 'abc\\u202egpj.exe'],
    ['right-to-left isolate and its end', '\u2067x\u2069', '\\u2067x\\u2069'],
    ['right-to-left mark', 'a\u200fb', 'a\\u200fb'],
    ['arabic letter mark', 'a\u061cb', 'a\\u061cb'],
    ['zero-width space', 'CABC\u200b', 'CABC\\u200b'],
    ['zero-width joiner', 'a\u200db', 'a\\u200db'],
    ['byte order mark', '\ufeffTrade Ref', '\\ufeffTrade Ref'],
    ['soft hyphen', 'a\u00adb', 'a\\u00adb'],
    ['line separator', 'a\u2028b', 'a\\u2028b'],
    ['paragraph separator', 'a\u2029b', 'a\\u2029b'],
    ['a tag character beyond U+FFFF, as its surrogate pair', 'a\u{e0041}b', 'a\\udb40\\udc41b'],
  ])('escapes %s', (_what, text, shown) => {
    expect(safeText(text)).toBe(shown);
  });

  it('keeps printable text, Chinese, accents, emoji and backslashes as they are', () => {
    for (const text of [
      'BT190506-0001 HSI 29,350.00',
      '恒生指數期貨',
      'Zürich café',
      '📈',
      'C:\\inputs\\bos',
    ])
      expect(safeText(text)).toBe(text);
  });

  it('changes nothing when applied twice', () => {
    const once = safeText(`x${ATTACK}\u202e\n`);
    expect(safeText(once)).toBe(once);
  });

  it('table() escapes every cell, newlines included, so a cell stays on its row and columns align', () => {
    const t = table(
      ['file:line', 'reason'],
      [
        [`f.csv:3`, `bad date ${ATTACK}`],
        ['f.csv:4', 'two\nlines'],
      ],
    );
    expect(unsafe(t)).toBe(false);
    expect(t.split('\n')).toEqual([
      'file:line  reason',
      `---------  ${'-'.repeat(`bad date ${SHOWN}`.length)}`,
      `f.csv:3    bad date ${SHOWN}`,
      'f.csv:4    two\\u000alines',
    ]);
  });

  it('out.line and out.warn escape what a command forgot, keeping only its own line breaks', () => {
    const { stdout, stderr } = capture(() => {
      out.line(`refused x${ATTACK}.csv\n  what to do: y`);
      out.warn(`error: ${ATTACK}`);
    });
    expect(stdout).toBe('refused x\\u001b]0;pwned\\u0007\\u001b[2J.csv\n  what to do: y\n');
    expect(stderr).toBe('error: \\u001b]0;pwned\\u0007\\u001b[2J\n');
  });

  it('out.json escapes C1, DEL and bidi characters too (JSON.stringify leaves them) and still parses to the same values', () => {
    const value = { raw: `a${ATTACK}\u009b2J\x7f\u202eb`, n: 1 };
    const { stdout } = capture(() => out.json(value));
    expect(unsafe(stdout)).toBe(false);
    expect(stdout).toContain('\\u009b2J\\u007f\\u202eb');
    expect(JSON.parse(stdout)).toEqual(value);
  });

  it('out.json keeps a surrogate-pair escape valid JSON', () => {
    const value = { tag: 'a\u{e0041}b' };
    const { stdout } = capture(() => out.json(value));
    expect(stdout).toContain('a\\udb40\\udc41b');
    expect(JSON.parse(stdout)).toEqual(value);
  });
});
