import path from 'node:path';
import { Command } from 'commander';
import {
  checkHeadHash,
  exportAuditChain,
  verifyIntegrity,
  type AuditExport,
  type AuditVerification,
  type BrokenLink,
  type DataVerification,
  type IntegrityVerification,
  type RegisterVerification,
} from '../../index.js';
import type { CliContext } from '../context.js';
import { out, plural, safeText } from '../output.js';

type Run = (fn: (ctx: CliContext) => Promise<number>) => Promise<void>;

/** `audit verify` and `audit export`: prove the audit trail intact, and hand it to an auditor. */
export function auditCommand(run: Run): Command {
  const audit = new Command('audit')
    .description('check the hash-chained audit trail, or export it for an auditor')
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon audit verify
  dcass-recon --json audit verify --head 3f1c0b9e27d4
  dcass-recon audit export --out audit-2019-05-05.jsonl

Every ingest, fetch, run, report, break action and confirmation appends an event; each event's hash
covers the previous hash and the event's canonical JSON, and the database refuses to change or
remove events. See the README's "Audit trail" section for how an auditor checks an export.`,
    );

  audit.addCommand(
    new Command('verify')
      .exitOverride()
      .description(
        'walk the audit chain, replay the break register from its events and, with --data, hash the loaded data again',
      )
      .option(
        '--head <hash>',
        'a head hash kept elsewhere (evidence pack, earlier export), or its first 12 or more hex digits: it must be in the chain',
      )
      .option('--data', "recompute every loaded file's digest from its stored rows (reads every row)")
      .addHelpText(
        'after',
        `
Examples:
  dcass-recon audit verify
  dcass-recon --json audit verify
  dcass-recon audit verify --head 3f1c0b9e27d4     # the first 12+ hex digits of a head hash kept earlier
  dcass-recon audit verify --data

Prints the number of events and the head hash (keep it: a later verify with --head proves nothing
before it was removed or rewritten; --head takes the full 64 hex digits, or a prefix of 12 or more
that only one event's hash starts with), and checks that every break's current state is the one its
latest event records (a break changed outside dcass-recon is named). With --data, every loaded file's
rows are hashed again and compared with the digest taken when the file was loaded: a file whose rows
were changed since is named, with both digests. Exit code 0 when everything checked is intact, 2 when
anything is not: the first broken link of the chain (event id; gap in ids, prev_hash mismatch, hash
mismatch, or a body that disagrees with its row), the breaks that differ, or the changed files.`,
      )
      .action((opts: { head?: string; data?: boolean }) =>
        run(async (ctx) => {
          const head = opts.head === undefined ? undefined : checkHeadHash(opts.head); // before any work
          const store = await ctx.store();
          const result = await verifyIntegrity(store, {
            ...(head === undefined ? {} : { expectedHead: head }),
            data: opts.data === true,
          });
          printIntegrity(ctx, result);
          return result.intact ? 0 : 2;
        }),
      ),
  );

  audit.addCommand(
    new Command('export')
      .exitOverride()
      .description('write the audit chain as JSON lines, with its head hash on the last line')
      .requiredOption('--out <file>', 'the file to write (replaced when it exists)')
      .addHelpText(
        'after',
        `
Examples:
  dcass-recon audit export --out audit.jsonl
  python3 scripts/verify-audit-export.py audit.jsonl     # the auditor's own check, no dcass-recon needed

One line per event (RFC 8785 canonical JSON: id, at, actor, action, subject, details, prev_hash, hash),
then {"head":{...}} with the number of events and the head hash. Prints the file's sha256, to send
apart from the file. Exit code 0 when written from an intact chain; 2 when the chain is broken (the
file is still written, as stored, and will fail verification at that event) or cannot be written.`,
      )
      .action((opts: { out: string }) =>
        run(async (ctx) => {
          const store = await ctx.store();
          const result = await exportAuditChain(store, path.resolve(opts.out));
          printExport(ctx, result);
          return result.intact ? 0 : 2;
        }),
      ),
  );
  return audit;
}

function printIntegrity(ctx: CliContext, r: IntegrityVerification): void {
  if (ctx.options.json) {
    // The chain's fields stay at the top level, as before the register and data were checked.
    out.json({ ...r.chain, intact: r.intact, register: r.register, data: r.data });
    return;
  }
  printVerification(ctx, r.chain);
  printRegister(ctx, r.register);
  if (r.data !== null) printData(ctx, r.data);
}

function printVerification(ctx: CliContext, r: AuditVerification): void {
  if (r.intact) {
    if (ctx.options.quiet) return;
    out.line(
      r.head === null
        ? 'audit chain intact: no events yet'
        : `audit chain intact: ${r.events} events, head event ${r.head.id}, head hash ${r.head.hash}`,
    );
    return;
  }
  printBroken(r.broken!);
  out.line(
    `  ${plural(r.verified, 'event')} verified before it; ${plural(r.events, 'event')} stored` +
      (r.head === null ? '' : `, last event ${r.head.id} with hash ${r.head.hash}`),
  );
}

function printRegister(ctx: CliContext, r: RegisterVerification): void {
  if (r.consistent) {
    // An empty register has nothing to replay: no line, so a fresh database reads as before.
    if (!ctx.options.quiet && r.cases > 0) {
      out.line(`break register consistent: ${plural(r.cases, 'break')}, each as its latest event records`);
    }
    return;
  }
  const more = r.differing > r.firstDiffering.length ? ', ...' : '';
  out.line(
    `break register CHANGED outside dcass-recon: ${r.differing} of ${plural(r.cases, 'break')} differ from their latest event: ` +
      `break ${r.firstDiffering.join(', ')}${more}`,
  );
  out.line(
    '  what to do: keep the database as it is and tell your auditor; dcass-recon breaks show ID prints what the events record',
  );
}

function printData(ctx: CliContext, r: DataVerification): void {
  const skipped =
    r.unchecked === 0
      ? ''
      : `; ${plural(r.unchecked, 'file')} without a digest (loaded before digests were kept), not checked`;
  if (r.intact) {
    if (!ctx.options.quiet) {
      out.line(`loaded data intact: ${plural(r.checked, 'file')} checked, their rows as loaded${skipped}`);
    }
    return;
  }
  for (const f of r.changed) {
    const file = `loaded data CHANGED: ${safeText(f.fileName)} (source_file ${f.fileId})`;
    const none = (list: string) => (list === '' ? 'none' : list);
    out.line(
      f.problem === 'rows'
        ? `${file}: its rows no longer match what was loaded: expected digest ${f.expected}, found ${f.found}`
        : f.problem === 'digest'
          ? `${file}: its stored digest is not the one its audit event recorded: expected ${f.expected}, found ${f.found}`
          : f.problem === 'counts'
            ? `${file}: its rows by date are not what the load counted (runs report these counts): counted ${none(f.expected)}; stored now ${none(f.found)}`
            : `${file}: rows repeating an earlier row's ${f.expected} are missing from the possible repeats the load listed (runs look only at those): ${f.found}`,
    );
  }
  const files = new Set(r.changed.map((f) => f.fileId)).size;
  out.line(`  ${plural(r.checked, 'file')} checked, ${files} changed${skipped}`);
  out.line(
    '  what to do: keep the database as it is and tell your auditor; load the original files again to compare',
  );
}

function printExport(ctx: CliContext, r: AuditExport): void {
  if (ctx.options.json) {
    out.json(r);
    return;
  }
  if (!r.intact) {
    printBroken(r.broken!);
    out.line(`  the export holds the chain as stored and fails verification at that event`);
  }
  if (ctx.options.quiet && r.intact) return;
  out.line(`wrote ${r.file}: ${r.events} events, head hash ${r.head?.hash ?? '(none: empty chain)'}`);
  out.line(`sha256 of the file: ${r.sha256}`);
}

function printBroken(b: BrokenLink): void {
  out.line(`audit chain BROKEN at event ${b.id}: ${safeText(b.message)}`);
  out.line(
    '  what to do: keep the database as it is and tell your auditor; compare with the last export or evidence pack',
  );
}
