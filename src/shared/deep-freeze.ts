/**
 * Freezes a value and everything it holds, so a resolved configuration cannot be changed by whoever
 * receives it. Properties named in `keep` are left as they are (shared module objects, such as
 * comparators with their schemas); an object already frozen is taken as frozen through.
 */
export function deepFreeze<T>(value: T, keep: readonly string[] = []): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const [k, v] of Object.entries(value)) if (!keep.includes(k)) deepFreeze(v, keep);
    Object.freeze(value);
  }
  return value;
}
