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
          await migrateToLatest(s);
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

