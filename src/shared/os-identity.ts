import { hostname, userInfo } from 'node:os';

/** The operating-system account and machine that run this process. */
export interface OsIdentity {
  readonly user: string;
  readonly host: string;
}

let identity: OsIdentity | undefined;

/**
 * Who ran the command as the operating system knows it, recorded beside the declared actor on every
 * event: it shows which account typed a command, whatever --actor said (it does not prove who sat at
 * the keyboard of that account). Read once: it cannot change while the process runs.
 */
export function osIdentity(): OsIdentity {
  identity ??= { user: osUser(), host: hostname() };
  return identity;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A container user with no passwd entry has a uid but no name.
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}
