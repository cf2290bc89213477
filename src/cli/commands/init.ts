import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { DcassError, builtinPath, packageRoot } from '../../index.js';
import type { CliContext } from '../context.js';
import { out } from '../output.js';

/** `init DIR`: a starter configuration that works as written on the shipped fixtures. */
export function initCommand(run: (fn: (ctx: CliContext) => Promise<number>) => Promise<void>): Command {
  return new Command('init')
    .description('write a starter configuration: config file, profiles, calendar, input folders, account map')
    .argument('<dir>', 'folder to write into (created if missing)')
    .option('--with-fixtures', 'also copy the shipped CABC fixture data into the input folders')
    .option('--force', 'overwrite an existing configuration in the folder')
    .addHelpText(
      'after',
      '\nExamples:\n  dcass-recon init ./recon\n  dcass-recon init ./demo --with-fixtures && cd demo && dcass-recon ingest --all',
    )
    .action((dir: string, opts: { withFixtures?: boolean; force?: boolean }) =>
      run(async (ctx) => {
        const target = path.resolve(dir);
        const configFile = writeStarter(target, {
          withFixtures: opts.withFixtures === true,
          force: opts.force === true,
        });
        const written = readdirSync(target, { recursive: true, encoding: 'utf8' }).length;
        if (ctx.options.json) out.json({ dir: target, configFile, withFixtures: opts.withFixtures === true });
        else if (!ctx.options.quiet) {
          out.line(`wrote a starter configuration to ${target} (${written} entries)`);
          out.line(`next: cd ${dir} && dcass-recon ingest --all`);
        }
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
  mkdirSync(target, { recursive: true });
  cpSync(builtinPath('starter', 'dcass-recon.yaml'), configFile);
  cpSync(builtinPath('profiles'), path.join(target, 'profiles'), { recursive: true });
  cpSync(builtinPath('calendars'), path.join(target, 'calendars'), { recursive: true });
  for (const source of ['genium', 'dcass', 'bos'])
    mkdirSync(path.join(target, 'inputs', source), { recursive: true });
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
