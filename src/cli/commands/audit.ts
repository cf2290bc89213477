import path from 'node:path';
import { Command } from 'commander';
import {
  exportAuditChain,
  verifyAuditChain,
  type AuditExport,
  type AuditVerification,
  type BrokenLink,
} from '../../index.js';
import type { CliContext } from '../context.js';
import { out } from '../output.js';

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
  dcass-recon audit verify --head 3f1c...e9a0 --json
  dcass-recon audit export --out audit-2019-05-05.jsonl

Every ingest, fetch, run, report, break action and confirmation appends an event; each event's hash
covers the previous hash and the event's canonical JSON, and the database refuses to change or
remove events. See the README's "Audit trail" section for how an auditor checks an export.`,
    );

  audit.addCommand(
    new Command('verify')
      .exitOverride()
      .description('walk the audit chain from its first event and name the first broken link')
      .option(
        '--head <hash>',
        'a head hash kept elsewhere (evidence pack, earlier export): it must be in the chain',
      )
      .addHelpText(
        'after',
        `
Examples:
  dcass-recon audit verify
  dcass-recon --json audit verify
  dcass-recon audit verify --head 3f1c0b...e9a0

Prints the number of events and the head hash (keep it: a later verify with --head proves nothing
before it was removed or rewritten). Exit code 0 when the chain is intact, 2 when it is broken: the
first broken link is named (event id; gap in ids, prev_hash mismatch, hash mismatch, or a body that
disagrees with its row).`,
      )
      .action((opts: { head?: string }) =>
        run(async (ctx) => {
          const store = await ctx.store();
          const result = await verifyAuditChain(
            store,
            opts.head === undefined ? {} : { expectedHead: opts.head },
          );
          printVerification(ctx, result);
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

function printVerification(ctx: CliContext, r: AuditVerification): void {
  if (ctx.options.json) {
    out.json(r);
    return;
  }
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
    `  ${r.verified} event(s) verified before it; ${r.events} event(s) stored` +
      (r.head === null ? '' : `, last event ${r.head.id} with hash ${r.head.hash}`),
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
  out.line(`audit chain BROKEN at event ${b.id}: ${b.message}`);
  out.line(
    '  what to do: keep the database as it is and tell your auditor; compare with the last export or evidence pack',
  );
}
