import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
// Quantities and prices are NUMERIC (exact); series are kept raw beside the normalised instrument.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE source_file (
      id             bigserial PRIMARY KEY,
      source         text NOT NULL CHECK (source IN ('genium', 'dcass', 'bos')),
      entity         text NOT NULL CHECK (entity IN ('trades', 'positions', 'account_map')),
      profile        text NOT NULL,
      report_id      text NOT NULL,
      participant    text NOT NULL,
      business_date  date,
      generated_at   timestamptz,
      sha256         text NOT NULL UNIQUE,
      size_bytes     bigint NOT NULL,
      file_name      text NOT NULL,
      path           text NOT NULL,
      row_count      integer NOT NULL,
      reject_count   integer NOT NULL,
      control        jsonb,
      loaded_at      timestamptz NOT NULL DEFAULT now(),
      superseded_by  bigint REFERENCES source_file (id)
    )`.execute(db);
  await sql`CREATE INDEX source_file_report_idx
    ON source_file (source, entity, report_id, participant, business_date)`.execute(db);

  await sql`
    CREATE TABLE refused_file (
      id           bigserial PRIMARY KEY,
      source       text NOT NULL,
      profile      text,
      file_name    text NOT NULL,
      path         text NOT NULL,
      sha256       text,
      size_bytes   bigint,
      code         text NOT NULL,
      reason       text NOT NULL,
      line_no      integer,
      refused_at   timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE trade (
      id               bigserial PRIMARY KEY,
      file_id          bigint NOT NULL REFERENCES source_file (id),
      line_no          integer NOT NULL,
      source           text NOT NULL,
      participant      text NOT NULL,
      clearing_date    date NOT NULL,
      session          text NOT NULL CHECK (session IN ('T', 'A')),
      series           text NOT NULL,
      root             text NOT NULL,
      instrument_type  text NOT NULL CHECK (instrument_type IN ('F', 'C', 'P')),
      expiry           text NOT NULL,
      strike           numeric,
      trade_no         text,
      deal_no          text,
      ref              text,
      account          text NOT NULL,
      client_code      text,
      side             text NOT NULL CHECK (side IN ('B', 'S')),
      quantity         numeric NOT NULL,
      price            numeric NOT NULL,
      trade_type       text NOT NULL,
      orig_trade_no    text,
      exec_date        date,
      exec_at          timestamptz,
      open_close       text,
      extra            jsonb
    )`.execute(db);
  await sql`CREATE INDEX trade_file_idx ON trade (file_id)`.execute(db);
  await sql`CREATE INDEX trade_clearing_idx ON trade (clearing_date, source)`.execute(db);

  await sql`
    CREATE TABLE position (
      id               bigserial PRIMARY KEY,
      file_id          bigint NOT NULL REFERENCES source_file (id),
      line_no          integer NOT NULL,
      source           text NOT NULL,
      participant      text NOT NULL,
      position_date    date NOT NULL,
      account          text NOT NULL,
      client_code      text,
      series           text NOT NULL,
      root             text NOT NULL,
      instrument_type  text NOT NULL CHECK (instrument_type IN ('F', 'C', 'P')),
      expiry           text NOT NULL,
      strike           numeric,
      long_qty         numeric NOT NULL,
      short_qty        numeric NOT NULL,
      exercised_qty    numeric,
      assigned_qty     numeric,
      extra            jsonb
    )`.execute(db);
  await sql`CREATE INDEX position_file_idx ON position (file_id)`.execute(db);
  await sql`CREATE INDEX position_date_idx ON position (position_date, source)`.execute(db);

  await sql`
    CREATE TABLE rejected_row (
      id        bigserial PRIMARY KEY,
      file_id   bigint NOT NULL REFERENCES source_file (id),
      line_no   integer NOT NULL,
      field     text,
      code      text NOT NULL,
      reason    text NOT NULL,
      raw       text NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX rejected_row_file_idx ON rejected_row (file_id)`.execute(db);

  await sql`
    CREATE TABLE account_map (
      id              bigserial PRIMARY KEY,
      file_id         bigint NOT NULL REFERENCES source_file (id),
      line_no         integer NOT NULL,
      client_code     text NOT NULL,
      dcass_account   text NOT NULL,
      account_type    text NOT NULL CHECK (account_type IN ('NET', 'GROSS')),
      effective_from  date NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX account_map_client_idx ON account_map (client_code, effective_from)`.execute(db);

  await sql`
    CREATE TABLE calendar (
      market       text NOT NULL,
      day          date NOT NULL,
      trading      boolean NOT NULL,
      after_hours  boolean NOT NULL,
      platform     text CHECK (platform IN ('genium', 'upgraded')),
      note         text,
      PRIMARY KEY (market, day)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'calendar',
    'account_map',
    'rejected_row',
    'position',
    'trade',
    'refused_file',
    'source_file',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
