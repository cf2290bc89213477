import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { DcassError, type ErrorCode } from '../shared/errors.js';

/** Reads a YAML or JSON file and validates it; every problem names the file, line and key path. */
export function loadValidatedFile<S extends z.ZodType>(
  file: string,
  schema: S,
  code: ErrorCode,
  text: string = readText(file, code),
): z.infer<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = lineCounter.linePos(e.pos[0]).line;
    throw new DcassError(
      code,
      `${file}${line ? `:${line}` : ''}: not valid YAML: ${e.message.split('\n')[0]}`,
      {
        location: { file, ...(line ? { line } : {}) },
      },
    );
  }
  const parsed = schema.safeParse(doc.toJS({ maxAliasCount: 50 }));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const keyPath = issue.path.map(String);
      const line = lineOf(doc, lineCounter, keyPath);
      return `${file}${line ? `:${line}` : ''}: ${keyPath.join('.') || '(top level)'}: ${issue.message}`;
    });
    const first = parsed.error.issues[0]!;
    const line = lineOf(doc, lineCounter, first.path.map(String));
    throw new DcassError(code, lines.join('\n'), {
      location: { file, path: first.path.map(String).join('.'), ...(line ? { line } : {}) },
    });
  }
  return parsed.data;
}

function readText(file: string, code: ErrorCode): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new DcassError(code === 'CONFIG_INVALID' ? 'CONFIG_NOT_FOUND' : code, `cannot read ${file}`, {
      cause,
    });
  }
}

/**
 * The line of a key in a YAML or JSON file already loaded (a configured folder that cannot be read is
 * named with its key and line); undefined when the file cannot be read or parsed again.
 */
export function lineOfKey(file: string, keyPath: readonly string[]): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  return doc.errors.length > 0 ? undefined : lineOf(doc, lineCounter, [...keyPath]);
}

/** The line of the deepest node that exists along a key path (the parent when the key is missing). */
function lineOf(doc: Document, counter: LineCounter, keyPath: string[]): number | undefined {
  for (let n = keyPath.length; n >= 0; n--) {
    const node: unknown = doc.getIn(
      keyPath.slice(0, n).map((k) => (/^\d+$/.test(k) ? Number(k) : k)),
      true,
    );
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}
