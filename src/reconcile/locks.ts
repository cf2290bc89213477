/**
 * Advisory lock keys shared by the writers of the break register.
 *
 * RUN_LOCK: one reconciliation run per database at a time (transaction-scoped, taken with try: a
 * second run is refused as busy). REGISTER_LOCK: held by a run from its start (before it reads the
 * register) until it commits, and by every person's break action for its transaction,
 * so an action waits for a run in progress (and then sees its result) and a run never overwrites an
 * action with the state it read before it.
 */
export const RUN_LOCK = '431197467507';
export const REGISTER_LOCK = '431197467508';
