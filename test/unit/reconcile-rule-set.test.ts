import { describe, expect, it } from 'vitest';
import { loadBuiltinRuleSet, loadRuleSet } from '../../src/reconcile/rule-set.js';
import { DcassError } from '../../src/shared/errors.js';

const BASE = `name: test
reconciliations:
  t1:
    entity: trades
    left: { source: dcass }
    right: { source: bos }
    passes:
      - keys: [clearingDate, tradeNo]
    compare:
      quantity: exact
`;

function error(text: string): DcassError {
  try {
    loadRuleSet('rules.yaml', text);
  } catch (err) {
    if (err instanceof DcassError) return err;
    throw err;
  }
  throw new Error('expected the rule set to be refused');
}

describe('rule sets', () => {
  it('loads the built-in default rule set with its reconciliations in file order', () => {
    const rs = loadBuiltinRuleSet();
    expect(rs.name).toBe('default');
    expect(rs.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rs.reconciliations.map((r) => r.name)).toEqual([
      'positions-seam',
      'trades-seam',
      'trades-bos',
      'positions-bos',
      'positions-rollforward',
    ]);
    expect(Object.isFrozen(rs.reconciliations[0])).toBe(true);
  });

  it('fills defaults: pass names, comparator options, explain kinds', () => {
    const rs = loadRuleSet(
      'rules.yaml',
      `${BASE}      price: { comparator: abs, tolerance: 0.001 }
    explain:
      - { left: { tradeType: GUP }, reason: pending give-up }
`,
    );
    const r = rs.reconciliations[0]!;
    expect(r.passes).toEqual([{ name: 'pass-1', keys: ['clearingDate', 'tradeNo'], repeats: 'duplicate' }]);
    expect(r.compare.map((c) => [c.field, c.comparator.name, c.options])).toEqual([
      ['quantity', 'exact', {}],
      ['price', 'abs', { tolerance: '0.001' }],
    ]);
    expect(r.explain[0]).toMatchObject({ name: 'explain-1', kinds: expect.arrayContaining(['only_left']) });
    expect(r.explain[0]!.left).toEqual([{ field: 'tradeType', in: ['GUP'], negate: false }]);
  });

  it('a side may expand spreads into their legs; the default rules expand the BOS side of trades-bos', () => {
    const [plain] = loadRuleSet('a.yaml', BASE).reconciliations;
    expect([plain!.left.expand, plain!.right.expand]).toEqual([null, null]);
    const [expanded] = loadRuleSet(
      'a.yaml',
      BASE.replace('source: bos }', 'source: bos, expand: spreads }'),
    ).reconciliations;
    expect(expanded!.right.expand).toBe('spreads');
    const bos = loadBuiltinRuleSet().reconciliations.find((r) => r.name === 'trades-bos')!;
    expect([bos.left.expand, bos.right.expand]).toEqual([null, 'spreads']);
  });

  it('a fold names its side; the default trades-bos folds the exchange side and aggregates BOS', () => {
    expect(loadRuleSet('rules.yaml', `${BASE}    fold: { side: left }\n`).reconciliations[0]!.fold).toEqual({
      side: 'left',
    });
    expect(loadRuleSet('rules.yaml', BASE).reconciliations[0]!.fold).toBeNull();
    const bos = loadBuiltinRuleSet().reconciliations.find((r) => r.name === 'trades-bos')!;
    expect(bos.fold).toEqual({ side: 'left' });
    expect(bos.aggregate?.side).toBe('right');
    // The pending explain rules name pending trade types (left) and booked give-ups (right), never a
    // plain GUP on the exchange side.
    expect(bos.explain.map((e) => [e.name, e.kinds, e.left, e.right])).toEqual([
      ['pending-give-up', ['only_left'], [{ field: 'tradeType', in: ['PGU', 'PTU'], negate: false }], []],
      [
        'give-up-booked-ahead',
        ['only_right'],
        [],
        [{ field: 'tradeType', in: ['GUP', 'TUP'], negate: false }],
      ],
      ['given-up', ['only_left'], [{ field: 'quantity', in: ['0'], negate: false }], []],
    ]);
  });

  it('the sha256 is of the bytes: any edit changes it', () => {
    expect(loadRuleSet('a.yaml', BASE).sha256).not.toBe(loadRuleSet('a.yaml', `${BASE}# comment\n`).sha256);
  });

  it.each([
    [
      BASE.replace('tradeNo]', 'tradeNumber]'),
      8,
      'reconciliations.t1.passes.0.keys.1: unknown trades field "tradeNumber"',
    ],
    [BASE.replace('quantity: exact', 'quantity: fuzzy'), 10, 'unknown comparator "fuzzy"'],
    [
      BASE.replace('quantity: exact', 'account: { comparator: abs, tolerance: "1" }'),
      10,
      'comparator "abs" cannot compare text field "account"',
    ],
    [
      BASE.replace('quantity: exact', 'price: { comparator: abs, tolerance: "-1" }'),
      10,
      'compare.price.tolerance: expected a non-negative decimal',
    ],
    [BASE.replace('quantity: exact', 'price: { comparator: exact, tolerance: "1" }'), 10, 'compare.price'],
    [BASE.replace('entity: trades', 'entity: deals'), 4, 'reconciliations.t1.entity'],
    [BASE.replace('source: bos', 'source: bank'), 6, 'reconciliations.t1.right.source'],
    [BASE.replace('  t1:', '  T 1:'), 4, 'reconciliations.T 1'],
    [`${BASE}    colour: blue\n`, 4, 'colour'],
    [
      `${BASE}    aggregate: { side: right, groupBy: [clearingDate], sum: [quantity] }\n`,
      11,
      'the aggregated right side has no "tradeNo"',
    ],
    [
      `${BASE}    aggregate: { side: right, groupBy: [clearingDate, tradeNo], sum: [account] }\n`,
      11,
      'only decimal fields can be summed',
    ],
    [
      BASE.replace('entity: trades', 'entity: positions')
        .replace('source: bos }', 'source: bos, expand: spreads }')
        .replace('[clearingDate, tradeNo]', '[account, instrument]')
        .replace('quantity: exact', 'net: exact'),
      6,
      'reconciliations.t1.right.expand: only trades expand',
    ],
    [BASE.replace('source: bos }', 'source: bos, expand: legs }'), 6, 'reconciliations.t1.right.expand'],
    [`${BASE}    fold: { side: middle }\n`, 11, 'reconciliations.t1.fold.side'],
    [
      `${BASE.replace('source: bos }', 'source: bos, expand: spreads }')}    fold: { side: right }\n`,
      11,
      'the right side expands spreads',
    ],
    [
      `${BASE}    fold: { side: right }\n    aggregate: { side: right, groupBy: [clearingDate, tradeNo], sum: [quantity] }\n`,
      11,
      'the right side is aggregated already',
    ],
    [
      BASE.replace('entity: trades', 'entity: positions')
        .replace('[clearingDate, tradeNo]', '[account, instrument]')
        .replace('quantity: exact', 'long: exact') + '    fold: { side: left }\n',
      11,
      'only trades carry original trade numbers to fold by',
    ],
  ])('refuses a bad rule file naming file, line and key (%#)', (text, line, message) => {
    const e = error(text);
    expect(e.code).toBe('RULES_INVALID');
    expect(e.message).toContain(message);
    expect(e.message).toMatch(new RegExp(`^rules\\.yaml:${line}: `, 'm'));
  });

  it('reports YAML syntax errors with their line', () => {
    const e = error(`${BASE}    compare: [\n`);
    expect(e.message).toMatch(/^rules\.yaml:\d+: not valid YAML/);
  });

  it('a missing file is CONFIG_NOT_FOUND', () => {
    expect(() => loadRuleSet('/nonexistent/rules.yaml')).toThrow(
      expect.objectContaining({ code: 'CONFIG_NOT_FOUND' }) as Error,
    );
  });
});
