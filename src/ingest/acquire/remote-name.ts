/** Longest remote file name accepted, in UTF-8 bytes: RRS names are about 30 characters. */
export const MAX_REMOTE_NAME_BYTES = 128;

/** Why a remote name was refused; stable codes for the manifest and the summary. */
export type RemoteNameProblem =
  | 'empty'
  | 'dot_name'
  | 'path_separator'
  | 'dot_dot'
  | 'nul'
  | 'control_char'
  | 'invisible_char'
  | 'reserved_char'
  | 'leading_dash'
  | 'leading_dot'
  | 'trailing_space_or_dot'
  | 'too_long'
  | 'not_utf8';

/** The verdict on one remote name: safe to use as a local file name, or refused with the reason. */
export type RemoteNameVerdict =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly problem: RemoteNameProblem; readonly reason: string };

// C0 controls, DEL and C1 controls: matching them is the point.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0001-\u001f\u007f-\u009f]/u;
// Format characters (bidi overrides, zero-width joiners) and line/paragraph separators make a
// name display as something it is not.
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}]/u;
// Reserved on Windows file systems, where an inbox may live on a share.
const RESERVED = /[:*?"<>|]/;

/**
 * Decides whether a name from a remote listing may become a local file name inside the inbox.
 * Anything that could escape the folder, hide itself, or act as a command-line option is refused.
 */
export function validateRemoteName(name: string): RemoteNameVerdict {
  const refuse = (problem: RemoteNameProblem, reason: string): RemoteNameVerdict => ({
    ok: false,
    problem,
    reason,
  });
  const shown = printable(name);
  if (name.length === 0) return refuse('empty', 'the remote name is empty');
  if (name === '.' || name === '..')
    return refuse('dot_name', `the remote name "${shown}" names a directory`);
  if (name.includes('\0')) return refuse('nul', `the remote name "${shown}" contains a NUL byte`);
  if (name.includes('/') || name.includes('\\')) {
    return refuse('path_separator', `the remote name "${shown}" contains a path separator`);
  }
  if (name.includes('..')) return refuse('dot_dot', `the remote name "${shown}" contains ".."`);
  // The SSH library decodes names as UTF-8; other bytes become U+FFFD and could not be opened again.
  if (name.includes('\uFFFD')) return refuse('not_utf8', `the remote name "${shown}" is not valid UTF-8`);
  if (CONTROL.test(name))
    return refuse('control_char', `the remote name "${shown}" contains a control character`);
  if (INVISIBLE.test(name))
    return refuse('invisible_char', `the remote name "${shown}" contains an invisible or bidi character`);
  if (RESERVED.test(name))
    return refuse('reserved_char', `the remote name "${shown}" contains one of : * ? " < > |`);
  if (name.startsWith('-')) return refuse('leading_dash', `the remote name "${shown}" starts with "-"`);
  if (name.startsWith('.'))
    return refuse('leading_dot', `the remote name "${shown}" is hidden (starts with ".")`);
  if (/[ .]$/.test(name))
    return refuse('trailing_space_or_dot', `the remote name "${shown}" ends with a space or a dot`);
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_REMOTE_NAME_BYTES) {
    return refuse(
      'too_long',
      `the remote name "${shown.slice(0, 40)}..." is ${bytes} bytes long (limit ${MAX_REMOTE_NAME_BYTES})`,
    );
  }
  return { ok: true, name };
}

/** Shows a name with control and invisible characters escaped, safe for logs and terminals. */
export function printable(name: string): string {
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point
  return name.replace(/[\u0000-\u001f\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}\\"]/gu, (c) =>
    c === '\\' || c === '"' ? `\\${c}` : `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
}
