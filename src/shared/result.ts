import type { Issue } from './issue.js';

/** The outcome of reading one value: the value, or the data problem that stopped it. */
export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issue: Issue };

/** Wraps a value as a successful result. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** Wraps a data problem as a failed result. */
export const fail = <T = never>(issue: Issue): Result<T> => ({ ok: false, issue });
