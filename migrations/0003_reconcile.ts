import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
// A run records what was reconciled (rule set, inputs, counts); matches and breaks belong to a run.
// Breaks carry across runs by fingerprint (reconciliation, kind, key, occurrence): first_seen_* is
// copied from the latest earlier break with the same fingerprint, so age needs no history scan.
// Record ids are arrays because an aggregated side pairs several records with one.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE recon_run (
      id               bigserial PRIMARY KEY,
      business_date    date NOT NULL,
      rule_set_name    text NOT NULL,
      rule_set_sha256  text NOT NULL CHECK (rule_set_sha256 ~ '^[0-9a-f]{64}$'),
      recons           text[] NOT NULL,
      inputs           jsonb NOT NULL DEFAULT '[]'::jsonb,
      counts           jsonb NOT NULL DEFAULT '{}'::jsonb,
      status           text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
      error            text,
      started_at       timestamptz NOT NULL,
      finished_at      timestamptz,
      CHECK (status = 'running' OR finished_at IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX recon_run_date_idx ON recon_run (business_date, id)`.execute(db);

  await sql`
    CREATE TABLE recon_match (
      run_id     bigint NOT NULL REFERENCES recon_run (id) ON DELETE CASCADE,
      recon      text NOT NULL,
      pass       smallint NOT NULL CHECK (pass >= 1),
      left_ids   bigint[] NOT NULL,
      right_ids  bigint[] NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX recon_match_run_idx ON recon_match (run_id, recon)`.execute(db);

  await sql`
    CREATE TABLE recon_break (
      id               bigserial PRIMARY KEY,
      run_id           bigint NOT NULL REFERENCES recon_run (id) ON DELETE CASCADE,
      recon            text NOT NULL,
      entity           text NOT NULL CHECK (entity IN ('trades', 'positions')),
      kind             text NOT NULL
                       CHECK (kind IN ('only_left', 'only_right', 'mismatch', 'duplicate_left', 'duplicate_right')),
      pass             smallint,
      key              jsonb NOT NULL,
      fields           jsonb NOT NULL DEFAULT '[]'::jsonb,
      left_ids         bigint[] NOT NULL DEFAULT '{}',
      right_ids        bigint[] NOT NULL DEFAULT '{}',
      fingerprint      text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
      status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'explained', 'resolved', 'cleared')),
      reason           text,
      explained_by     text,
      first_seen_run   bigint NOT NULL REFERENCES recon_run (id),
      first_seen_date  date NOT NULL,
      UNIQUE (run_id, fingerprint),
      CHECK (status NOT IN ('explained', 'resolved') OR reason IS NOT NULL),
      CHECK (kind <> 'mismatch' OR jsonb_array_length(fields) > 0)
    )`.execute(db);
  await sql`CREATE INDEX recon_break_run_idx ON recon_break (run_id, recon)`.execute(db);
  await sql`CREATE INDEX recon_break_fingerprint_idx ON recon_break (recon, fingerprint, run_id)`.execute(db);
  // Rules read an account's type (NET/GROSS) per record by DCASS account and date.
  await sql`CREATE INDEX account_map_account_idx ON account_map (dcass_account, effective_from)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS account_map_account_idx`.execute(db);
  for (const table of ['recon_break', 'recon_match', 'recon_run']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
