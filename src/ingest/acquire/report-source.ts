/** One entry of a source's listing for a business date, as the source reported it. */
export interface SourceEntry {
  /** The name exactly as listed (not yet validated; it may be hostile). */
  readonly name: string;
  /** Where the source reads it from (server path, or local path for a folder source). */
  readonly path: string;
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
  readonly size: number;
  /** Modification time as the source reports it (SFTP: whole seconds). */
  readonly mtime: Date;
}

/** The listing of one business date's folder. */
export interface SourceListing {
  /** The folder that was listed, for messages. */
  readonly folder: string;
  readonly entries: readonly SourceEntry[];
}

/** Size and mtime of an entry at the moment its bytes were read. */
export interface EntryStat {
  readonly size: number;
  readonly mtime: Date;
}

/**
 * Where upgraded DCASS reports come from: RRS over SFTP on business days, or DCASS Online exports
 * saved to a folder on the Sunday verification day. `fetchReports` drives either one the same way;
 * the source only lists and copies raw bytes, the inbox, manifest and checks are common.
 */
export interface ReportSource {
  /** Identifies the source in the manifest: `sftp://user@host:port/root` or `local:/dir`. */
  readonly origin: string;
  /** Lists the folder of one business date (YYYYMMDD). Throws SFTP_REMOTE_MISSING when it does not exist. */
  list(date: string): Promise<SourceListing>;
  /**
   * Copies the entry's bytes to `tempPath` (a fresh local file) and returns the size and mtime the
   * source had when it was read. `onBytes` receives the running byte count.
   */
  download(entry: SourceEntry, tempPath: string, onBytes: (transferred: number) => void): Promise<EntryStat>;
  /** The entry's size and mtime now: a file that changed while it was copied is not taken. */
  stat(entry: SourceEntry): Promise<EntryStat>;
  /** Errors a retry may cure (a dropped connection, a stall); anything else is final. */
  isTransient(err: unknown): boolean;
  /** Stops everything under way at once (the overall deadline passed). */
  abort(): void;
  /** Releases connections; safe to call more than once. */
  close(): Promise<void>;
}
