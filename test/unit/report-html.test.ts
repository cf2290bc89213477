import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RECORD_SHAPES, type RecordRow, type ReportBreak } from '../../src/report/break-reader.js';
import { BreakEncoder, decodeBreakData } from '../../src/report/html/break-data.js';
import { escapeHtml, jsonForScript, scriptSafe } from '../../src/report/html/escape.js';
import { PAGE_SCRIPT } from '../../src/report/html/page-script.js';
import { PAGE_STYLE } from '../../src/report/html/page-style.js';
import { barChart, columnChart, niceMax } from '../../src/report/html/svg-chart.js';
import { REPORT_CSP } from '../../src/report/html/write-html.js';

const HOSTILE = `</script><script>alert(1)</script><!--<img src=x onerror="alert('x')">&amp;\u2028\u2029`;

// A trade record as the break reader gives it: shape, id, then RECORD_SHAPES[0]'s values.
function tradeRow(id: string, v: Partial<Record<(typeof RECORD_SHAPES)[0][number], string | null>>): RecordRow {
  return ['0', id, ...RECORD_SHAPES[0].map((c) => v[c] ?? null)];
}

function sampleBreak(over: Partial<ReportBreak> = {}): ReportBreak {
  return {
    id: '42',
    recon: 'trades-bos',
    entity: 'trades',
    kind: 'mismatch',
    key: { tradeNo: '1000616', clearingDate: '2019-05-07' },
    fields: [{ field: 'price', left: '34.625', right: '34.624', comparator: 'exact' }],
    status: 'open',
    reason: null,
    reasonCode: null,
    explainedBy: null,
    assignee: null,
    firstSeen: '2019-05-07',
    lastSeen: '2019-05-07',
    clearedByRun: false,
    carried: false,
    ageDays: 0,
    triangulation: null,
    left: [tradeRow('1', { tradeNo: '1000616', account: 'M01', price: '34.625', ref: HOSTILE, file: 'TRD001.csv', line: '7' })],
    right: [tradeRow('2', { tradeNo: '1000616', account: 'M01', price: '34.624', ref: null, file: 'BOS.csv', line: '5' })],
    comments: [],
    ...over,
  };
}

const decode = decodeBreakData;

describe('HTML report escaping', () => {
  it('escapeHtml turns every markup character into an entity and prints null as nothing', () => {
    expect(escapeHtml(`<script>alert("1")</script> & 'x'`)).toBe(
      '&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt; &amp; &#39;x&#39;',
    );
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(12.5)).toBe('12.5');
    expect(escapeHtml(HOSTILE)).not.toMatch(/[<>"']/);
  });

  it('jsonForScript cannot end a script element or open a comment, and parses back to the same value', () => {
    const value = { ref: HOSTILE, nested: [HOSTILE, 'plain', '34.625'] };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(text.toLowerCase()).not.toContain('</script');
    expect(text).not.toContain('<!--');
    expect(JSON.parse(text)).toEqual(value);
    expect(scriptSafe(JSON.stringify(HOSTILE))).toBe(jsonForScript(HOSTILE));
  });

  it('chart labels and titles are escaped', () => {
    const svg = barChart('c1', `kind <b>`, [{ label: HOSTILE, value: 3, color: '"red" onload="x"' }]);
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<b>');
    expect(svg).not.toContain('" onload="');
    expect(svg).toContain('&lt;/script&gt;');
    const cols = columnChart(
      'c2',
      'history',
      ['2019-05-06', HOSTILE],
      [{ name: '<i>', color: '#000', values: [1, 2] }],
      'stacked',
    );
    expect(cols).not.toContain('<i>');
    expect(cols).not.toContain('<script');
  });

  it('niceMax rounds an axis up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 11, 26, 99_001].map(niceMax)).toEqual([1, 1, 5, 10, 20, 50, 100_000]);
  });
});

describe('HTML report break data', () => {
  it('round-trips every value of a break as text (decimals stay the strings they are), hostile text included', () => {
    const enc = new BreakEncoder();
    enc.add(sampleBreak());
    enc.add(
      sampleBreak({
        id: '43',
        kind: 'only_left',
        status: 'explained',
        reason: HOSTILE,
        explainedBy: 'rule:pending-give-up',
        fields: [],
        right: [],
        clearedByRun: true,
        ageDays: 3,
      }),
    );
    const first = enc.takeChunk();
    enc.add(sampleBreak({ id: '44', key: { account: 'O01', instrument: 'HSI C 2019-05 28000' } }));
    enc.add(sampleBreak({ id: '45', carried: true, firstSeen: '2019-05-06', ageDays: 3 }));
    const text = `[${first}${enc.takeChunk()}]`;
    expect(text.toLowerCase()).not.toContain('</script');
    const rows = decode(text);
    expect(rows.map((r) => r.id)).toEqual(['42', '43', '44', '45']);
    expect(rows[0]).toMatchObject({
      recon: 'trades-bos',
      kind: 'mismatch',
      status: 'open',
      account: 'M01',
      key: ['tradeNo', '1000616', 'clearingDate', '2019-05-07'],
      fields: ['price', '34.625', '34.624', 'exact'],
      left: [{ account: 'M01', price: '34.625', ref: HOSTILE, file: 'TRD001.csv', line: '7' }],
      right: [{ account: 'M01', price: '34.624', ref: null, file: 'BOS.csv', line: '5' }],
      clearedByRun: 0,
      carried: 0,
    });
    // The record's database id is not shipped: file and line say where it came from.
    expect(Object.keys((rows[0]!.left as object[])[0]!)).not.toContain('id');
    expect(rows[1]).toMatchObject({
      reason: HOSTILE,
      explainedBy: 'rule:pending-give-up',
      right: [],
      ageDays: 3,
      clearedByRun: 1,
    });
    expect(rows[2]).toMatchObject({ account: 'O01' });
    expect(rows[3]).toMatchObject({ firstSeen: '2019-05-06', ageDays: 3, carried: 1, clearedByRun: 0 });
    expect(enc.tallies.total).toBe(4);
    expect(Object.fromEntries(enc.tallies.byStatus)).toEqual({ open: 3, explained: 1 });
    expect(enc.tallies.clearedByRun).toBe(1);
    expect(enc.tallies.carried).toBe(1);
    expect(Object.fromEntries(enc.tallies.byRecon.get('trades-bos')!)).toEqual({
      open: 2,
      clearedByRun: 1,
      carried: 1,
    });
  });

  it('keeps the string table bounded: a column of distinct values stops being tabled', () => {
    const enc = new BreakEncoder();
    for (let i = 0; i < 6000; i++) {
      enc.add(sampleBreak({ id: String(i), key: { tradeNo: String(1_000_000 + i) } }));
    }
    const chunk = JSON.parse(enc.takeChunk()) as { s: string[] };
    expect(chunk.s.length).toBeLessThan(4096 + 100);
    const rows = decode(`[${JSON.stringify(chunk)}]`);
    expect(rows[5999]!.key).toEqual(['tradeNo', '1005999']);
  });
});

describe('HTML report page', () => {
  it('the page script is valid JavaScript', () => {
    expect(() => new Function(PAGE_SCRIPT)).not.toThrow();
  });

  it("the Content-Security-Policy forbids every fetch and names the page's own style and script by hash", () => {
    const hash = (t: string) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
    const directives = Object.fromEntries(REPORT_CSP.split('; ').map((d) => [d.split(' ')[0], d]));
    expect(directives['default-src']).toBe("default-src 'none'");
    expect(directives['script-src']).toBe(`script-src ${hash(PAGE_SCRIPT)}`);
    expect(directives['style-src']).toBe(`style-src ${hash(PAGE_STYLE)}`);
    expect(REPORT_CSP).not.toMatch(/unsafe|https?:|\*/);
  });

  it('the inline script and style hold nothing that would end their elements early', () => {
    expect(PAGE_SCRIPT.toLowerCase()).not.toContain('</script');
    expect(PAGE_STYLE.toLowerCase()).not.toContain('</style');
    // Data reaches the page as text only.
    expect(PAGE_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });
});
