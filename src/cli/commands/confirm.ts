import { Command } from 'commander';
import {
  acceptedWhat,
  DcassError,
  builtinPath,
  parseBusinessDate,
  confirmBusinessDate,
  confirmationDeadline,
  type ConfirmResult,
  type ClearingHouse,
} from '../../index.js';
import type { CliContext } from '../context.js';
import { houseOption, houseScope } from '../house-option.js';
import { out, safeText } from '../output.js';

/** `confirm`: the Appendix E confirmation PDF and its evidence pack, for one business date. */
export function confirmCommand(run: (fn: (ctx: CliContext) => Promise<number>) => Promise<void>): Command {
  return new Command('confirm')
    .description(
      'write the Appendix E confirmation (PDF, pre-filled, signatures blank) and its evidence pack for a business date',
    )
    .requiredOption('--date <YYYY-MM-DD>', 'business date: its latest completed run is confirmed')
    .requiredOption('--out <dir>', 'new folder for the evidence pack (must not exist, or be empty)')
    .option(
      '--accept-open <reason>',
      'confirm although breaks are open; the reason is printed in the PDF and the pack and recorded in the audit trail',
    )
    .option('--rules <file>', 'the rule set file the run used (default: the built-in rule set)')
    .addOption(houseOption())
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon confirm --date 2019-05-03 --out ./confirmation-20190503
  dcass-recon --actor chan.tai.man confirm --date 2019-05-03 --out ./conf \\
      --accept-open "B1: HSIK9 long 131 vs 130 on H01, HKEX ticket 12345 raised 10:40"
  sha256sum -c SHA256SUMS      # inside the pack folder: every file checked (manifest.json lists them too)
  dcass-recon confirm --date 2019-05-03 --house SEOCH --out ./conf-seoch   # one clearing house only

--house confirms one clearing house (default: the participant's one house, else every house): the
latest run of the date covering it, its breaks only, and the form's clearing house box says it.

Details come from the configuration's confirmation: section (see the README). The audit trail records
who confirmed (--actor, else the configuration's actor, else the OS user). On the session date it
prints the time left until the confirmation is due (12:30 Hong Kong time by default).
Exit code 0 when the pack is written, 2 when breaks are open (and --accept-open was not given), no
completed run of the date exists, or the configuration has no confirmation section.`,
    )
    .action(
      (opts: { date: string; out: string; acceptOpen?: string; rules?: string; house?: ClearingHouse }) =>
        run(async (ctx) => {
          const businessDate = parseBusinessDate(opts.date);
          const confirmation = ctx.config.confirmation;
          if (confirmation === null) {
            throw new DcassError(
              'CONFIG_INVALID',
              `${ctx.config.configFile ?? 'the configuration'} has no confirmation: section`,
              {
                ...(ctx.config.configFile
                  ? { location: { file: ctx.config.configFile, path: 'confirmation' } }
                  : {}),
                hint: 'add one with the contacts and signatories (see the README, Confirmation (Appendix E)); dcass-recon init writes an example',
              },
            );
          }
          if (opts.acceptOpen !== undefined && opts.acceptOpen.trim() === '') {
            throw new DcassError('USAGE', '--accept-open needs a reason', {
              hint: 'say why the open breaks do not stop the confirmation, e.g. --accept-open "B7: BOS duplicate, fix in Monday\'s export"',
            });
          }
          const now = new Date();
          const deadline = confirmationDeadline(now, confirmation.sessionDate, confirmation.dueTime);
          // The time left matters on the session day only; said first, so a refusal below still shows it.
          if (deadline.onSessionDay && !ctx.options.json && !ctx.options.quiet) out.line(deadline.text);
          const house = houseScope(ctx.config, opts.house);
          const store = await ctx.store();
          const result = await confirmBusinessDate(store, {
            ...(house === null ? {} : { house }),
            products: ctx.config.products,
            businessDate,
            outDir: opts.out,
            confirmation,
            ruleSetFiles: [opts.rules ?? builtinPath('rules', 'default.yaml')],
            acceptOpenReason: opts.acceptOpen ?? null,
            actor: ctx.actor(),
            now,
          });
          print(ctx, result, opts.acceptOpen !== undefined, deadline.onSessionDay ? deadline.text : null);
          return 0;
        }),
    );
}

function print(ctx: CliContext, r: ConfirmResult, acceptAsked: boolean, deadline: string | null): void {
  if (ctx.options.json) {
    out.json({
      dir: r.pack.dir,
      manifestSha256: r.pack.manifestSha256,
      run: { id: r.run.id, businessDate: r.run.businessDate, house: r.run.house?.house ?? null },
      openBreaks: r.pack.openBreaks,
      acceptedOpen: r.pack.acceptedOpen,
      auditEvent: r.auditEvent,
      files: r.pack.files,
      deadline,
    });
    return;
  }
  if (acceptAsked && r.pack.acceptedOpen === null) {
    out.warn(
      'note: no break was open and no input missing, so --accept-open was not needed and its reason was not recorded',
    );
  }
  if (ctx.options.quiet) return;
  out.line(`wrote the evidence pack ${r.pack.dir} (${r.pack.files.length + 1} files)`);
  out.line(
    `  run ${r.run.id}, business date ${r.run.businessDate}${r.run.house === null ? '' : `, clearing house ${r.run.house.house} only`}`,
  );
  if (r.pack.acceptedOpen) {
    out.line(`  ACCEPTED ${acceptedWhat(r.pack.acceptedOpen)}: ${safeText(r.pack.acceptedOpen.reason)}`);
  }
  out.line(`  manifest.json sha256 ${r.pack.manifestSha256} (audit event ${r.auditEvent.id})`);
  out.line(`next: check and print ${r.pack.dir}/confirmation.pdf, sign and chop it, and e-mail it to HKEX`);
}
