import { z } from 'zod';
import { ENTITIES, SOURCES, type Entity, type Source } from '../model/vocabulary.js';

/**
 * Which inputs each business date needs: the configuration's `expected:` list. A reconciliation
 * whose side lacks one of them on a date is not run for it (see reconcile/expected-inputs.ts).
 */

/** On which business dates an input is expected. */
const EXPECTED_ON = ['trading-days', 'from-cutover', 'genium-days', 'last-genium-day', 'once'] as const;
export type ExpectedOn = (typeof EXPECTED_ON)[number];

/** One expected input: files of a source and entity (optionally one report id) on some dates. */
export interface ExpectedInput {
  /** A short name people read: `bos-trades`. */
  readonly name: string;
  readonly source: Source;
  readonly entity: Entity;
  /** Only files of this report id count (the profile's reportId); any report of the entity when absent. */
  readonly reportId?: string | undefined;
  /**
   * `trading-days`: every trading day of the calendar; `from-cutover`: every trading day on the upgraded
   * platform and the last Genium day before it (the day the upgraded system's first reports describe);
   * `genium-days`: every trading day on Genium INET (up to the cutover and, after a fallback, from the
   * fallback on); `last-genium-day`: the last trading day on Genium before the cutover only; `once`:
   * loaded at least once, on or before the date (the account map).
   */
  readonly on: ExpectedOn;
}

/** The reference set: what a CP has for the Sunday verification and each stabilisation day. */
export const DEFAULT_EXPECTED_INPUTS: readonly ExpectedInput[] = [
  { name: 'genium-trades', source: 'genium', entity: 'trades', on: 'genium-days' },
  { name: 'genium-positions', source: 'genium', entity: 'positions', on: 'genium-days' },
  { name: 'dcass-trades', source: 'dcass', entity: 'trades', on: 'from-cutover' },
  { name: 'dcass-positions', source: 'dcass', entity: 'positions', on: 'from-cutover' },
  { name: 'bos-trades', source: 'bos', entity: 'trades', on: 'trading-days' },
  { name: 'bos-positions', source: 'bos', entity: 'positions', on: 'trading-days' },
  { name: 'account-map', source: 'bos', entity: 'account_map', on: 'once' },
];

/** The configuration's `expected:` list (replaces the default list whole when given). */
export const expectedInputsSchema = z
  .array(
    z.strictObject({
      name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a short lower-case name such as bos-trades'),
      source: z.enum(SOURCES),
      entity: z.enum(ENTITIES),
      reportId: z.string().min(1).optional(),
      on: z.enum(EXPECTED_ON),
    }),
  )
  .min(1)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((e, i) => {
      if (seen.has(e.name))
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${e.name} is listed twice` });
      seen.add(e.name);
    });
  });
