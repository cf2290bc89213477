import { DcassError } from '../../shared/errors.js';

/**
 * Runs `work` and fails it with SFTP_TIMEOUT when it makes no progress for `idleMs` (`touch` marks
 * progress). On expiry `onExpire` runs (it tears the connection down, so the work settles too) and
 * the late outcome of `work` is swallowed: a stalled transfer is aborted, never left hanging.
 */
export async function withIdleTimeout<T>(
  what: string,
  idleMs: number,
  onExpire: () => void,
  work: (touch: () => void) => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let expire: ((err: DcassError) => void) | undefined;
  const expired = new Promise<never>((_, reject) => {
    expire = reject;
  });
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      expire?.(
        new DcassError('SFTP_TIMEOUT', `${what}: no data from the server for ${idleMs} ms, aborted`, {
          hint: 'the server or the network stalled; the fetch retries transient failures, raise sftp.timeouts.idleMs if the link is slow',
        }),
      );
      onExpire();
    }, idleMs);
  };
  arm();
  const running = work(arm);
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
    // Whichever lost the race must not become an unhandled rejection.
    running.catch(() => undefined);
    expired.catch(() => undefined);
  }
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
