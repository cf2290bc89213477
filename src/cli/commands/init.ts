import { cpSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { DcassError, builtinPath, packageRoot } from '../../index.js';
import type { CliContext } from '../context.js';
import { out, plural } from '../output.js';
import { makeFolder } from '../../shared/folders.js';

/** `init DIR`: a starter configuration that works as written on the shipped fixtures. */
export function initCommand(run: (fn: (ctx: CliContext) => Promise<number>) => Promise<void>): Command {
  return new Command('init')
    .description('write a starter configuration: config file, profiles, calendar, input folders, account map')
    .argument('<dir>', 'folder to write into (created if missing)')
    .option('--with-fixtures', 'also copy the shipped CABC fixture data into the input folders')
    .option('--force', 'overwrite an existing configuration in the folder')
    .addHelpText(
      'after',
      `
Examples:
  dcass-recon init ./recon --with-fixtures && cd recon && dcass-recon verify --date 2019-05-03 --out out/0503
  dcass-recon init ./recon      # your own data: the input folders are left empty for your files

Without --with-fixtures the input folders hold only the fictitious CABC account map: put your Genium
backups, upgraded DCASS reports and BOS exports there (or fetch them) before verifying a date.`,
    )
    .action((dir: string, opts: { withFixtures?: boolean; force?: boolean }) =>
      run(async (ctx) => {
        const target = path.resolve(dir);
        const configFile = writeStarter(target, {
          withFixtures: opts.withFixtures === true,
          force: opts.force === true,
        });
        const withFixtures = opts.withFixtures === true;
        if (ctx.options.json) out.json({ dir: target, configFile, withFixtures });
        else if (!ctx.options.quiet) printStarter(target, dir, withFixtures);
        return 0;
      }),
    );
}

/**
 * Writes a starter configuration into `target` (config file, profiles, calendar, input folders with the
 * account map, and with `withFixtures` the shipped CABC fixtures); returns the config file's path.
 */
export function writeStarter(target: string, opts: { withFixtures: boolean; force: boolean }): string {
  const configFile = path.join(target, 'dcass-recon.yaml');
  if (existsSync(configFile) && !opts.force) {
    throw new DcassError('USAGE', `${configFile} exists already`, {
      hint: 'use --force to overwrite it, or choose another folder',
    });
  }
  makeFolder(target, 'the configuration folder');
  cpSync(builtinPath('starter', 'dcass-recon.yaml'), configFile);
  cpSync(builtinPath('profiles'), path.join(target, 'profiles'), { recursive: true });
  cpSync(builtinPath('calendars'), path.join(target, 'calendars'), { recursive: true });
  for (const source of ['genium', 'dcass', 'bos'])
    makeFolder(path.join(target, 'inputs', source), 'the input folder');
  const fixtures = path.join(packageRoot(), 'fixtures');
  cpSync(
    path.join(fixtures, 'bos', 'ACCOUNT_MAP_CABC.csv'),
    path.join(target, 'inputs', 'bos', 'ACCOUNT_MAP_CABC.csv'),
  );
  if (opts.withFixtures) {
    for (const source of ['genium', 'dcass', 'bos']) {
      cpSync(path.join(fixtures, source), path.join(target, 'inputs', source), { recursive: true });
    }
  }
  return configFile;
}

/** The input folders of a starter configuration and what goes into each. */
const INPUT_FOLDERS = [
  ['genium', 'your Genium INET report backups (TRD001, POS001)'],
  ['dcass', 'the upgraded DCASS reports (dcass-recon fetch saves them here)'],
  ['bos', "your back office's trades and positions exports and account map"],
] as const;

// What init wrote and what to do next: a starter without fixtures has nothing to verify yet.
function printStarter(target: string, dir: string, withFixtures: boolean): void {
  out.line(`wrote a starter configuration to ${target}`);
  out.line(
    '  dcass-recon.yaml: participant CABC (fictitious), contacts and signatories: edit them for your firm',
  );
  for (const [source, what] of INPUT_FOLDERS) {
    const folder = path.join(target, 'inputs', source);
    const files = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) =>
      e.isFile(),
    ).length;
    const holds = withFixtures
      ? plural(files, 'shipped CABC fixture file')
      : files === 0
        ? `empty, for ${what}`
        : `only the fictitious CABC account map, for ${what}`;
    out.line(`  inputs/${source}/: ${holds}`);
  }
  if (withFixtures) {
    out.line("  their deliberate breaks B1-B7 are described in the package's fixtures/README.md");
    out.line(`next: cd ${dir} && dcass-recon verify --date 2019-05-03 --out out/0503`);
  } else {
    out.line('the input folders hold no report yet: a date verified now has every input missing');
    out.line(
      `next: put your files in ${path.join(dir, 'inputs')}/, then cd ${dir} && dcass-recon verify --date YYYY-MM-DD --out out/DATE`,
    );
    out.line(
      `to try it on the shipped CABC fixtures instead: dcass-recon init ${dir} --with-fixtures --force`,
    );
  }
}
