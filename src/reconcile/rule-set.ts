import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadValidatedFile } from '../config/yaml-file.js';
import { DcassError } from '../shared/errors.js';
import {
  BREAK_KINDS,
  CLEARING_HOUSES,
  PASS_REPEATS,
  EXPANSIONS,
  PLATFORMS,
  RECONCILED_ENTITIES,
  RULE_SOURCES,
  SIDES,
  type BreakKind,
  type PassRepeats,
  type Expansion,
  type Platform,
  type ReconciledEntity,
  type RuleSource,
  type Side,
} from '../model/vocabulary.js';
import { deepFreeze } from '../shared/deep-freeze.js';
import { builtinPath } from '../shared/package-root.js';
import { COMPARATORS, type Comparator } from './comparators/index.js';
import { fieldDef, fieldNames, HOUSE_FIELD } from './fields.js';

/**
 * A rule set is data: a YAML file naming reconciliations (entity, left and right sources with
 * filters, ordered match passes, a comparator per compared field, optional aggregation of one side,
 * explain rules). It is validated whole when read; every problem names the file, line and key.
 */

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const name = z.string().regex(NAME, 'expected a lower-case name with dashes, such as trades-seam');
const scalar = z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]);
const values = z.union([scalar.transform((v) => [v]), z.array(scalar).min(1)]);
const filterValue = z.union([
  values.transform((v) => ({ in: v, negate: false })),
  z.strictObject({ not: values }).transform((v) => ({ in: v.not, negate: true })),
]);

const sideSchema = z.strictObject({
  source: z.enum(RULE_SOURCES),
  filters: z.record(z.string(), filterValue).default({}),
  /**
   * Positions only: this side is the previous trading day's positions of the source plus the business
   * date's trades of the source (long and short moved by side and open/close indicator) and the day's
   * exercises and assignments, to be aggregated and compared with the day's positions
   * (compile.ts sideRelation).
   */
  rollForward: z.literal(true).optional(),
  /**
   * Trades only: `spreads` reads each trade in a combination series (a calendar spread booked as one
   * row) as its two leg trades, to match the exchange's leg trades (compile.ts expandedSideStatements).
   */
  expand: z.enum(EXPANSIONS).optional(),
});

const passSchema = z.strictObject({
  name: name.optional(),
  keys: z.array(z.string()).min(1),
  /** Records of a side sharing the key: duplicates (the default) or paired n-to-n (PASS_REPEATS). */
  repeats: z.enum(PASS_REPEATS).default('duplicate'),
});

const conditionSchema = z.strictObject({
  left: z.record(z.string(), filterValue).optional(),
  right: z.record(z.string(), filterValue).optional(),
});

const compareSchema = z.union([
  z.string().transform((comparator) => ({ comparator })),
  z.looseObject({ comparator: z.string(), when: conditionSchema.optional() }),
]);

const explainSchema = z.strictObject({
  name: name.optional(),
  kinds: z.array(z.enum(BREAK_KINDS)).min(1).optional(),
  left: z.record(z.string(), filterValue).optional(),
  right: z.record(z.string(), filterValue).optional(),
  reason: z.string().trim().min(1),
});

const aggregateSchema = z.strictObject({
  side: z.enum(SIDES),
  groupBy: z.array(z.string()).min(1),
  sum: z.array(z.string()).min(1),
  unique: z.array(z.string()).min(1).optional(),
});

/**
 * Trades only: fold one side's post-trade adjustments (give-up, take-up, transfer, rectify,
 * close-out: they carry the original trade number) into the trade they adjust, netted per account,
 * before matching (compile.ts foldStatement).
 */
const foldSchema = z.strictObject({
  side: z.enum(SIDES),
});

const platform = z.enum(PLATFORMS);
const runOnSchema = z.strictObject({
  platform: platform.optional(),
  nextPlatform: platform.optional(),
});

const reconSchema = z
  .strictObject({
    description: z.string().optional(),
    runOn: runOnSchema.optional(),
    entity: z.enum(RECONCILED_ENTITIES),
    left: sideSchema,
    right: sideSchema,
    passes: z.array(passSchema).min(1),
    compare: z.record(z.string(), compareSchema).default({}),
    aggregate: aggregateSchema.optional(),
    fold: foldSchema.optional(),
    explain: z.array(explainSchema).default([]),
  })
  .superRefine((r, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const known = (field: string, path: (string | number)[]) => {
      if (fieldDef(r.entity, field) !== undefined) return true;
      issue(path, `unknown ${r.entity} field "${field}"; expected one of ${fieldNames(r.entity).join(', ')}`);
      return false;
    };
    // A house filter naming no clearing house would silently match nothing.
    const houses = (filters: Record<string, { in: string[] }> | undefined, path: (string | number)[]) => {
      for (const v of filters?.[HOUSE_FIELD]?.in ?? []) {
        if (!(CLEARING_HOUSES as readonly string[]).includes(v))
          issue(
            [...path, HOUSE_FIELD],
            `unknown clearing house "${v}"; expected ${CLEARING_HOUSES.join(' or ')}`,
          );
      }
    };
    for (const side of ['left', 'right'] as const) {
      for (const f of Object.keys(r[side].filters)) known(f, [side, 'filters', f]);
      houses(r[side].filters, [side, 'filters']);
      if (r[side].expand !== undefined && r.entity !== 'trades') {
        issue([side, 'expand'], 'only trades expand: a combination series holds no positions');
      }
      if (r[side].rollForward === true) {
        if (r.entity !== 'positions') issue([side, 'rollForward'], 'only positions roll forward');
        // Several records (yesterday's position and the day's trades) make one expected position.
        else if (r.aggregate?.side !== side) {
          issue([side, 'rollForward'], `a rolled-forward side must be aggregated: aggregate.side: ${side}`);
        }
      }
    }
    r.passes.forEach((p, i) => {
      p.keys.forEach((k, j) => known(k, ['passes', i, 'keys', j]));
      if (new Set(p.keys).size !== p.keys.length) issue(['passes', i, 'keys'], 'a key field is listed twice');
    });
    for (const [field, spec] of Object.entries(r.compare)) {
      if (!known(field, ['compare', field])) continue;
      const comparator = COMPARATORS.get(spec.comparator);
      if (comparator === undefined) {
        issue(
          ['compare', field, 'comparator'],
          `unknown comparator "${spec.comparator}"; expected one of ${[...COMPARATORS.keys()].join(', ')}`,
        );
        continue;
      }
      const type = fieldDef(r.entity, field)!.type;
      if (!comparator.types.includes(type)) {
        issue(
          ['compare', field, 'comparator'],
          `comparator "${comparator.name}" cannot compare ${type} field "${field}" (it compares ${comparator.types.join(', ')})`,
        );
      }
      const { comparator: _, when, ...options } = spec as { comparator: string; when?: unknown };
      const parsed = comparator.options.safeParse(options);
      if (!parsed.success) {
        for (const e of parsed.error.issues) issue(['compare', field, ...e.path.map(String)], e.message);
      }
      const cond = when as z.infer<typeof conditionSchema> | undefined;
      for (const side of ['left', 'right'] as const) {
        for (const f of Object.keys(cond?.[side] ?? {})) known(f, ['compare', field, 'when', side, f]);
        houses(cond?.[side], ['compare', field, 'when', side]);
      }
    }
    r.explain.forEach((e, i) => {
      for (const side of ['left', 'right'] as const) {
        for (const f of Object.keys(e[side] ?? {})) known(f, ['explain', i, side, f]);
        houses(e[side], ['explain', i, side]);
      }
    });
    if (r.fold) {
      const f = r.fold;
      if (r.entity !== 'trades') issue(['fold'], 'only trades carry original trade numbers to fold by');
      // One grouping per side: a folded row is already the net of several records.
      if (r.aggregate?.side === f.side)
        issue(
          ['fold', 'side'],
          `the ${f.side} side is aggregated already; fold the other side or aggregate it only`,
        );
      if (r[f.side].rollForward === true) issue(['fold', 'side'], 'a rolled-forward side cannot be folded');
      // A folded side is read in place with its families beside it; an expanded side is rebuilt from its legs.
      if (r[f.side].expand !== undefined)
        issue(['fold', 'side'], `the ${f.side} side expands spreads; fold the other side or expand it only`);
    }
    if (r.aggregate) {
      const a = r.aggregate;
      a.groupBy.forEach((f, j) => known(f, ['aggregate', 'groupBy', j]));
      (a.unique ?? []).forEach((f, j) => known(f, ['aggregate', 'unique', j]));
      a.sum.forEach((f, j) => {
        if (known(f, ['aggregate', 'sum', j]) && fieldDef(r.entity, f)!.type !== 'decimal') {
          issue(['aggregate', 'sum', j], `only decimal fields can be summed; "${f}" is not one`);
        }
      });
      const available = new Set([...a.groupBy, ...a.sum]);
      const needed = [
        ...r.passes.flatMap((p) => p.keys),
        ...Object.entries(r.compare)
          .filter(([, s]) => COMPARATORS.get(s.comparator)?.ignores !== true)
          .map(([f]) => f),
        ...r.explain.flatMap((e) => Object.keys(e[a.side] ?? {})),
        ...Object.values(r.compare).flatMap((s) =>
          Object.keys((s as { when?: z.infer<typeof conditionSchema> }).when?.[a.side] ?? {}),
        ),
      ];
      for (const f of new Set(needed)) {
        if (!available.has(f)) {
          issue(
            ['aggregate', 'groupBy'],
            `the aggregated ${a.side} side has no "${f}": add it to groupBy or sum (passes, compare and explain rules use it)`,
          );
        }
      }
    }
  });

const ruleSetSchema = z.strictObject({
  name,
  description: z.string().optional(),
  reconciliations: z.record(name, reconSchema).refine((r) => Object.keys(r).length > 0, {
    message: 'a rule set needs at least one reconciliation',
  }),
});

/** Every field a reconciliation names anywhere: keys, compared fields and their conditions, filters, explain rules, aggregation. */
export function namedFields(recon: Reconciliation): string[] {
  const filtered = (fs: readonly FieldFilter[]) => fs.map((f) => f.field);
  return [
    ...recon.passes.flatMap((p) => p.keys),
    ...recon.compare.flatMap((c) => [c.field, ...filtered(c.when.left), ...filtered(c.when.right)]),
    ...recon.explain.flatMap((e) => [...filtered(e.left), ...filtered(e.right)]),
    ...filtered(recon.left.filters),
    ...filtered(recon.right.filters),
    ...(recon.aggregate === null
      ? []
      : [...recon.aggregate.groupBy, ...recon.aggregate.sum, ...recon.aggregate.unique]),
  ];
}

/** A filter on one field: the value is (or with negate, is not) one of `in`. */
export interface FieldFilter {
  readonly field: string;
  readonly in: readonly string[];
  readonly negate: boolean;
}

/** A compared field with its comparator, that comparator's validated options, and when it applies. */
export interface CompareSpec {
  readonly field: string;
  readonly comparator: Comparator<unknown>;
  readonly options: unknown;
  /** Compared only on pairs whose records pass these filters (e.g. net only on NET accounts); always when empty. */
  readonly when: { readonly left: readonly FieldFilter[]; readonly right: readonly FieldFilter[] };
}

/** An explain rule: kinds it applies to, conditions on either side's record, the reason given. */
export interface ExplainRule {
  readonly name: string;
  readonly kinds: readonly BreakKind[];
  readonly left: readonly FieldFilter[];
  readonly right: readonly FieldFilter[];
  readonly reason: string;
}

/** Where one side's records come from. */
export interface SideSpec {
  /** A source, or `exchange` until the run resolves it for its business date (exchange-side.ts). */
  readonly source: RuleSource;
  readonly filters: readonly FieldFilter[];
  /** Positions: the previous trading day's positions plus the day's trades and exercises (see sideSchema). */
  readonly rollForward: boolean;
  /** Trades: how records are expanded before matching (`spreads`: a calendar spread into its legs), or null. */
  readonly expand: Expansion | null;
}

/** A match pass: the key it pairs on and how it treats records of a side sharing that key. */
export interface Pass {
  readonly name: string;
  readonly keys: readonly string[];
  readonly repeats: PassRepeats;
}

/** One reconciliation, validated and fully defaulted. */
export interface Reconciliation {
  readonly name: string;
  readonly description: string;
  readonly entity: ReconciledEntity;
  readonly left: SideSpec;
  readonly right: SideSpec;
  readonly passes: readonly Pass[];
  readonly compare: readonly CompareSpec[];
  /**
   * Group one side and sum fields before matching. Rows of that side sharing the `unique` fields (a
   * booking reference) are duplicates: reported as such and left out of the sums.
   */
  readonly aggregate: {
    readonly side: Side;
    readonly groupBy: readonly string[];
    readonly sum: readonly string[];
    readonly unique: readonly string[];
  } | null;
  /**
   * Fold one side's adjustments (ADJUSTMENT_TRADE_TYPES) into the trade of that side whose number
   * (in the same series) they carry as original trade number: the trade and its adjustments become one
   * row per account with the net signed quantity, unless the other side books the adjustment as a
   * trade of its own (its number), when it stays a row of its own.
   */
  readonly fold: { readonly side: Side } | null;
  readonly explain: readonly ExplainRule[];
  /**
   * Business dates the reconciliation applies to, by the trading calendar: the date's platform and
   * the next trading day's (the seam: genium then upgraded). Empty: every date.
   */
  readonly runOn: { readonly platform?: Platform | undefined; readonly nextPlatform?: Platform | undefined };
}

/** A loaded rule set: its name, the sha256 of its bytes (recorded with every run), its reconciliations in file order. */
export interface RuleSet {
  readonly name: string;
  readonly sha256: string;
  readonly file: string;
  /** The file's text (UTF-8), kept with every run so the rules behind a break can always be read. */
  readonly text: string;
  readonly reconciliations: readonly Reconciliation[];
}

const filters = (m: Record<string, { in: string[]; negate: boolean }> | undefined): FieldFilter[] =>
  Object.entries(m ?? {}).map(([field, f]) => ({ field, in: f.in, negate: f.negate }));

/** Reads and validates a rule-set file; a bad file throws RULES_INVALID naming file, line and key. */
export function loadRuleSet(file: string, text?: string): RuleSet {
  let bytes: Buffer;
  if (text !== undefined) bytes = Buffer.from(text, 'utf8');
  else {
    try {
      bytes = readFileSync(file);
    } catch (cause) {
      throw new DcassError('CONFIG_NOT_FOUND', `cannot read the rule set ${file}`, {
        hint: 'check the path given for the rule set',
        cause,
      });
    }
  }
  const raw = loadValidatedFile(file, ruleSetSchema, 'RULES_INVALID', bytes.toString('utf8'));
  const reconciliations = Object.entries(raw.reconciliations).map(([reconName, r]): Reconciliation => ({
    name: reconName,
    description: r.description ?? '',
    entity: r.entity,
    left: {
      source: r.left.source,
      filters: filters(r.left.filters),
      rollForward: r.left.rollForward === true,
      expand: r.left.expand ?? null,
    },
    right: {
      source: r.right.source,
      filters: filters(r.right.filters),
      rollForward: r.right.rollForward === true,
      expand: r.right.expand ?? null,
    },
    passes: r.passes.map((p, i) => ({ name: p.name ?? `pass-${i + 1}`, keys: p.keys, repeats: p.repeats })),
    compare: Object.entries(r.compare).map(([field, spec]) => {
      const comparator = COMPARATORS.get(spec.comparator)!;
      const { comparator: _, when, ...options } = spec as { comparator: string; when?: unknown };
      const cond = when as z.infer<typeof conditionSchema> | undefined;
      return {
        field,
        comparator,
        options: comparator.options.parse(options),
        when: { left: filters(cond?.left), right: filters(cond?.right) },
      };
    }),
    aggregate: r.aggregate ? { ...r.aggregate, unique: r.aggregate.unique ?? [] } : null,
    fold: r.fold ? { side: r.fold.side } : null,
    runOn: r.runOn ?? {},
    explain: r.explain.map((e, i) => ({
      name: e.name ?? `explain-${i + 1}`,
      kinds: e.kinds ?? [...BREAK_KINDS],
      left: filters(e.left),
      right: filters(e.right),
      reason: e.reason,
    })),
  }));
  // Comparators are shared module objects (with zod schemas): they stay as they are.
  return deepFreeze(
    {
      name: raw.name,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      file,
      text: bytes.toString('utf8'),
      reconciliations,
    },
    ['comparator'],
  );
}

/** The rule set shipped with the product (`builtin/rules/<name>.yaml`). */
export function loadBuiltinRuleSet(ruleSetName = 'default'): RuleSet {
  return loadRuleSet(builtinPath('rules', `${ruleSetName}.yaml`));
}
