import './heap.js';
import { Command, CommanderError } from 'commander';
import { lineageCommands, migrateCommand, profilesCommand } from './commands/admin.js';
import { auditCommand } from './commands/audit.js';
import { calendarCommand } from './commands/calendar.js';
import { confirmCommand } from './commands/confirm.js';
import { breaksCommand } from './commands/breaks.js';
import { demoCommand } from './commands/demo.js';
import { expectedCommand } from './commands/expected.js';
import { reinputCommand } from './commands/reinput.js';
import { fetchCommand } from './commands/fetch.js';
import { ingestCommand } from './commands/ingest.js';
import { initCommand } from './commands/init.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { verifyCommand } from './commands/verify.js';
import { createContext, type CliContext, type GlobalOptions } from './context.js';
import { explainDatabaseError } from '../db/connect.js';
import { printError } from './output.js';
import { handleInterrupts } from './interrupt.js';
import { packageVersion } from '../shared/package-root.js';

/** Exit codes as diff(1): 0 nothing open, 1 open breaks found, 2 trouble. */
const EXIT = { ok: 0, breaks: 1, trouble: 2 } as const;

// A reader that stops reading (`dcass-recon --help | head`) closes the pipe: what is left to print has
// nobody to read it, so the command ends there as a Unix tool killed by SIGPIPE does (status 141),
// not with a stack trace. Anything else going wrong with the terminal is still an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(141);
  });
}

const program = new Command('dcass-recon')
  .description(
    'Reconcile HKEX DCASS post-trades and positions: Genium INET backups, upgraded DCASS reports and BOS exports',
  )
  .option(
    '--db <url|dir>',
    'PostgreSQL URL or embedded database folder (default: DATABASE_URL, the config, ./.dcass-recon/db)',
  )
  .version(packageVersion(), '-V, --version', 'print the version')
  .option('--config <file>', 'configuration file (default: ./dcass-recon.yaml when present)')
  .option('--json', 'machine output on stdout (logs stay on stderr)')
  .option('--quiet', 'print only errors')
  .option('--verbose', 'print debug logs and stack traces')
  .option(
    '--actor <name>',
    "who the audit trail records as acting (default: the config's actor, else the OS user)",
  )
  .showHelpAfterError()
  .exitOverride()
  .hook('preAction', (_program, action) => {
    command = commandPath(action);
  })
  .addHelpText(
    'after',
    `
Examples:
  dcass-recon init ./recon --with-fixtures
  dcass-recon --config ./recon/dcass-recon.yaml ingest --all
  dcass-recon ingest --source dcass inbox/20190506/
  DATABASE_URL=postgres://recon@db/recon dcass-recon migrate

Exit codes: 0 fine, 1 open breaks found, 2 trouble (bad input, bad config, unreachable server).`,
  );

/** The command being run, for the line an interrupt prints ("audit verify"). */
let command = '';
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
handleInterrupts(() => command);

/** Runs one command body with a context, turns errors into messages and sets the exit code. */
async function run(fn: (ctx: CliContext) => Promise<number>): Promise<void> {
  const options = program.opts<GlobalOptions>();
  let ctx: CliContext | null = null;
  try {
    ctx = createContext(options);
    process.exitCode = await fn(ctx);
  } catch (err) {
    printError(ctx ? explainDatabaseError(err, ctx.config.database) : err, options.verbose === true);
    process.exitCode = EXIT.trouble;
  } finally {
    await ctx?.close().catch(() => undefined);
  }
}

for (const cmd of [
  initCommand(run),
  migrateCommand(run),
  fetchCommand(run),
  ingestCommand(run),
  profilesCommand(run),
  runCommand(run),
  reportCommand(run),
  breaksCommand(run),
  verifyCommand(run),
  demoCommand(run),
  reinputCommand(run),
  confirmCommand(run),
  auditCommand(run),
  calendarCommand(run),
  expectedCommand(run),
  ...lineageCommands(run),
]) {
  program.addCommand(cmd.exitOverride());
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are not errors; usage mistakes are trouble (exit 2), as diff(1) does.
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.trouble;
  } else {
    printError(err, process.argv.includes('--verbose'));
    process.exitCode = EXIT.trouble;
  }
}
