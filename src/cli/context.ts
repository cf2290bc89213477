import {
  ProfileRegistry,
  createLogger,
  loadCalendar,
  migrateToLatest,
  openStore,
  resolveActor,
  resolveConfig,
  type LoadedCalendar,
  type Logger,
  type OpenOptions,
  type ResolvedConfig,
  type Store,
} from '../index.js';
import { sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { checkDatabaseTarget } from '../db/database-target.js';
import { out } from './output.js';

/** Global options every command accepts. */
export interface GlobalOptions {
  readonly db?: string;
  readonly config?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  readonly actor?: string;
}

/** What a command runs with: configuration resolved once, a logger, and lazily opened resources. */
export interface CliContext {
  readonly options: GlobalOptions;
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  /** The database, opened (with the options of the first call) and migrated on first use. */
  store(options?: OpenOptions): Promise<Store>;
  profiles(): ProfileRegistry;
  calendar(): LoadedCalendar;
  /** Who is acting, for the audit trail (--actor, else the configuration's, else the OS user), on first use. */
  actor(): string;
  close(): Promise<void>;
}

/** The only place that reads the environment and the working folder. */
export function createContext(options: GlobalOptions): CliContext {
  const config = resolveConfig({
    cwd: process.cwd(),
    ...(options.config !== undefined ? { configFile: options.config } : {}),
    ...(options.db !== undefined ? { db: options.db } : {}),
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
  });
  // A mistyped --db is refused before the command does anything, not when the store first opens.
  checkDatabaseTarget(config.database);
  const logger = createLogger({ level: options.verbose ? 'debug' : options.quiet ? 'error' : 'warn' });
  let store: Promise<Store> | null = null;
  let profiles: ProfileRegistry | null = null;
  let calendar: LoadedCalendar | null = null;
  let actor: string | null = null;
  return {
    options,
    config,
    logger,
    store: (openOptions) =>
      (store ??= (async () => {
        const s = await openStore(config.database, {
          ...openOptions,
          onNewFolder: (folder) => {
            if (!options.quiet) out.warn(`created a new embedded database in ${folder}`);
          },
        });
        try {
          if (!(await hasEveryMigration(s))) await migrateToLatest(s);
        } catch (err) {
          await s.close();
          throw err;
        }
        return s;
      })()),
    profiles: () => (profiles ??= ProfileRegistry.load(config.profileDirs)),
    calendar: () => (calendar ??= loadCalendar(config.calendarFile)),
    // Resolved when a command records something, so a command that records nothing never refuses a name.
    actor: () => (actor ??= resolveActor({ flag: options.actor, config })),
    async close() {
      if (store) await (await store.catch(() => null))?.close();
    },
  };
}

/**
 * True when the database records exactly the migrations this version ships, so there is nothing to
 * migrate. Kysely's migrator finds that out too, but introspects every table of the schema first:
 * 0.7-1.1 s of every command on an embedded database (0.04-0.15 s on the server), against two small
 * queries here. Anything else (a new database, a migration pending, one this version does not know)
 * goes to the migrator, which applies or refuses as before.
 */
async function hasEveryMigration(store: Store): Promise<boolean> {
  const table = await sql<{
    present: boolean;
  }>`SELECT to_regclass('kysely_migration') IS NOT NULL AS present`.execute(store.db);
  if (table.rows[0]?.present !== true) return false;
  const done = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(store.db);
  const shipped = new Set(Object.keys(migrations));
  return done.rows.length === shipped.size && done.rows.every((r) => shipped.has(r.name));
}
