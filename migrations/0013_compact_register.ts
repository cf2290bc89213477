import { sql, type Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
//
// A run stores what changed, not its whole break and match sets again (issue 14, finding 11: ten days
// of re-runs grew recon_break to 3.9 GB for 2.35 million rows, each repeating its key, fields and
// record ids).
//
// Breaks. A break's identity (reconciliation, entity, kind, fingerprint, first sighting) is its
// break_case already. What a run found of it (pass, key, field differences, record ids, content) is stored
// once per distinct finding of the case in break_detail; a run's sighting of a case is one narrow
// break_sighting row (run, case, detail, place in the run's order). A re-run of an unchanged day adds
// sightings (about 60 bytes and two index entries each) and no detail. Spans of runs (first and last
// run that saw a detail) were measured against this: the register appends one break_event per case a
// run sees anyway (the audit record of the sighting, larger than a sighting row), so spans would save
// less than half of a run's growth while every "breaks of run R" read would have to tell which runs
// in a span looked at the break; a row per sighting keeps those reads one index range.
// A sighting's status, reason and rule are those of its run's event (the carry step wrote both from
// the same state), so they are not stored twice.
//
// Matches. A reconciliation's clean pairs of a run are a match_set, stored once per distinct set
// (sha256 of its pairs in order); a run refers to its set in run_match. A re-run on the same inputs
// stores no pair again; a run on other inputs stores its own set whole, so every record of a run is
// still in exactly one stored place: one of its pairs, or one of its breaks.
//
// recon_break and recon_match stay readable as views with their columns of before. Breaks of runs
// before the register (no case) keep their rows, unchanged, in recon_break_legacy.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE break_detail (
      id          bigserial PRIMARY KEY,
      case_id     bigint NOT NULL REFERENCES break_case (id),
      sig         text NOT NULL CHECK (sig ~ '^[0-9a-f]{64}$'),
      pass        smallint,
      key         jsonb NOT NULL,
      fields      jsonb NOT NULL DEFAULT '[]'::jsonb,
      left_ids    bigint[] NOT NULL DEFAULT '{}',
      right_ids   bigint[] NOT NULL DEFAULT '{}',
      content     text,
      UNIQUE (case_id, sig)
    )`.execute(db);
  await sql`
    CREATE TABLE break_sighting (
      run_id      bigint NOT NULL REFERENCES recon_run (id),
      seq         integer NOT NULL,
      case_id     bigint NOT NULL REFERENCES break_case (id),
      detail_id   bigint NOT NULL REFERENCES break_detail (id),
      id          bigserial NOT NULL,
      PRIMARY KEY (run_id, seq)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX break_sighting_case_idx ON break_sighting (case_id, run_id)`.execute(db);

  // The signature of a finding: everything break_detail stores of it, so one row serves every run
  // that found exactly that.
  const sig = (b: string) =>
    sql.raw(`encode(sha256(convert_to(concat_ws(chr(31), coalesce(${b}.content, ''), coalesce(${b}.pass::text, ''),
      ${b}.key::text, ${b}.fields::text, ${b}.left_ids::text, ${b}.right_ids::text), 'UTF8')), 'hex')`);
  await sql`
    INSERT INTO break_detail (case_id, sig, pass, key, fields, left_ids, right_ids, content)
    SELECT DISTINCT ON (b.case_id, ${sig('b')}) b.case_id, ${sig('b')}, b.pass, b.key, b.fields, b.left_ids, b.right_ids, b.content
    FROM recon_break b WHERE b.case_id IS NOT NULL
    ORDER BY b.case_id, ${sig('b')}, b.run_id`.execute(db);
  await sql`SELECT setval('break_sighting_id_seq', greatest((SELECT max(id) FROM recon_break), 1))`.execute(
    db,
  );
  // seq is numbered when a run completes; a row without one (none is expected) goes after its run's others.
  await sql`
    INSERT INTO break_sighting (run_id, seq, case_id, detail_id, id)
    SELECT b.run_id, row_number() OVER (PARTITION BY b.run_id ORDER BY b.seq NULLS LAST, b.id), b.case_id, d.id, b.id
    FROM recon_break b JOIN break_detail d ON d.case_id = b.case_id AND d.sig = ${sig('b')}
    WHERE b.case_id IS NOT NULL`.execute(db);
  await sql`CREATE TABLE recon_break_legacy AS SELECT * FROM recon_break WHERE case_id IS NULL`.execute(db);
  await sql`CREATE INDEX recon_break_legacy_run_idx ON recon_break_legacy (run_id, seq)`.execute(db);
  await sql`DROP TABLE recon_break`.execute(db);

  // LEFT JOINs on primary keys and a subquery per state column: a query reads only what it names.
  const state = (col: string) =>
    sql.raw(`(SELECT x.${col} FROM break_event x WHERE x.case_id = s.case_id AND x.run_id = s.run_id
      AND x.action <> 'cleared' ORDER BY x.id LIMIT 1)`);
  await sql`
    CREATE VIEW recon_break AS
    SELECT s.id, s.run_id, c.recon, c.entity, c.kind, d.pass, d.key, d.fields, d.left_ids, d.right_ids,
      c.fingerprint, ${state('status')} AS status, ${state('reason')} AS reason,
      ${state('explained_by')} AS explained_by, c.first_seen_run, c.first_seen_date, s.case_id, s.seq, d.content
    FROM break_sighting s
    LEFT JOIN break_case c ON c.id = s.case_id
    LEFT JOIN break_detail d ON d.id = s.detail_id
    UNION ALL
    SELECT l.id, l.run_id, l.recon, l.entity, l.kind, l.pass, l.key, l.fields, l.left_ids, l.right_ids,
      l.fingerprint, l.status, l.reason, l.explained_by, l.first_seen_run, l.first_seen_date, l.case_id, l.seq,
      l.content
    FROM recon_break_legacy l`.execute(db);

  await sql`
    CREATE TABLE match_set (
      id          bigserial PRIMARY KEY,
      recon       text NOT NULL,
      sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      pairs       bigint NOT NULL,
      UNIQUE (recon, sha256)
    )`.execute(db);
  // Bulk rows (a million a set): no foreign key checked per row, as recon_match had none (0006); a
  // set's pairs are written in the statement that creates the set.
  await sql`
    CREATE TABLE match_pair (
      set_id      bigint NOT NULL,
      pass        smallint NOT NULL CHECK (pass >= 1),
      left_ids    bigint[] NOT NULL,
      right_ids   bigint[] NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX match_pair_set_brin ON match_pair USING brin (set_id)`.execute(db);
  await sql`
    CREATE TABLE run_match (
      run_id      bigint NOT NULL REFERENCES recon_run (id),
      recon       text NOT NULL,
      set_id      bigint NOT NULL REFERENCES match_set (id),
      PRIMARY KEY (run_id, recon)
    )`.execute(db);

  // The pair text a set's sha256 is taken over, in the order its pairs are hashed.
  await sql`
    CREATE TEMP TABLE old_set AS
    SELECT m.run_id, m.recon, encode(sha256(convert_to(coalesce(string_agg(
        m.pass::text || ':' || m.left_ids::text || '=' || m.right_ids::text, ','
        ORDER BY m.left_ids, m.right_ids, m.pass), ''), 'UTF8')), 'hex') AS sha256, count(*) AS pairs
    FROM recon_match m GROUP BY m.run_id, m.recon`.execute(db);
  await sql`
    INSERT INTO match_set (recon, sha256, pairs)
    SELECT DISTINCT ON (recon, sha256) recon, sha256, pairs FROM old_set ORDER BY recon, sha256, run_id`.execute(
    db,
  );
  await sql`
    INSERT INTO run_match (run_id, recon, set_id)
    SELECT o.run_id, o.recon, s.id FROM old_set o JOIN match_set s ON s.recon = o.recon AND s.sha256 = o.sha256`.execute(
    db,
  );
  await sql`
    INSERT INTO match_pair (set_id, pass, left_ids, right_ids)
    SELECT s.id, m.pass, m.left_ids, m.right_ids
    FROM match_set s
    JOIN LATERAL (SELECT min(o.run_id) AS run_id FROM old_set o WHERE o.recon = s.recon AND o.sha256 = s.sha256) f ON true
    JOIN recon_match m ON m.run_id = f.run_id AND m.recon = s.recon
    ORDER BY s.id`.execute(db);
  await sql`DROP TABLE old_set, recon_match`.execute(db);
  await sql`
    CREATE VIEW recon_match AS
    SELECT r.run_id, r.recon, p.pass, p.left_ids, p.right_ids
    FROM run_match r JOIN match_pair p ON p.set_id = r.set_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP VIEW IF EXISTS recon_match`.execute(db);
  await sql`
    CREATE TABLE recon_match (
      run_id     bigint NOT NULL,
      recon      text NOT NULL,
      pass       smallint NOT NULL CHECK (pass >= 1),
      left_ids   bigint[] NOT NULL,
      right_ids  bigint[] NOT NULL
    )`.execute(db);
  await sql`
    INSERT INTO recon_match (run_id, recon, pass, left_ids, right_ids)
    SELECT r.run_id, r.recon, p.pass, p.left_ids, p.right_ids FROM run_match r JOIN match_pair p ON p.set_id = r.set_id`.execute(
    db,
  );
  await sql`CREATE INDEX recon_match_run_idx ON recon_match (run_id, recon)`.execute(db);
  await sql`DROP TABLE run_match, match_pair, match_set`.execute(db);

  await sql`DROP VIEW IF EXISTS recon_break`.execute(db);
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
      case_id          bigint REFERENCES break_case (id),
      seq              integer,
      content          text,
      UNIQUE (run_id, fingerprint),
      CHECK (status NOT IN ('explained', 'resolved') OR reason IS NOT NULL),
      CHECK (kind <> 'mismatch' OR jsonb_array_length(fields) > 0)
    )`.execute(db);
  await sql`
    INSERT INTO recon_break (id, run_id, recon, entity, kind, pass, key, fields, left_ids, right_ids, fingerprint,
      status, reason, explained_by, first_seen_run, first_seen_date, case_id, seq, content)
    SELECT s.id, s.run_id, c.recon, c.entity, c.kind, d.pass, d.key, d.fields, d.left_ids, d.right_ids, c.fingerprint,
      coalesce(e.status, 'open'), e.reason, e.explained_by, c.first_seen_run, c.first_seen_date, s.case_id, s.seq, d.content
    FROM break_sighting s JOIN break_case c ON c.id = s.case_id JOIN break_detail d ON d.id = s.detail_id
    LEFT JOIN LATERAL (SELECT x.status, x.reason, x.explained_by FROM break_event x
                       WHERE x.case_id = s.case_id AND x.run_id = s.run_id AND x.action <> 'cleared'
                       ORDER BY x.id LIMIT 1) e ON true
    UNION ALL
    SELECT id, run_id, recon, entity, kind, pass, key, fields, left_ids, right_ids, fingerprint, status, reason,
      explained_by, first_seen_run, first_seen_date, case_id, seq, content FROM recon_break_legacy`.execute(
    db,
  );
  await sql`SELECT setval('recon_break_id_seq', greatest((SELECT max(id) FROM recon_break), 1))`.execute(db);
  await sql`CREATE INDEX recon_break_run_idx ON recon_break (run_id, recon)`.execute(db);
  await sql`CREATE INDEX recon_break_fingerprint_idx ON recon_break (recon, fingerprint, run_id)`.execute(db);
  await sql`CREATE INDEX recon_break_case_idx ON recon_break (case_id, run_id)`.execute(db);
  await sql`CREATE UNIQUE INDEX recon_break_seq_idx ON recon_break (run_id, seq)`.execute(db);
  await sql`DROP TABLE recon_break_legacy, break_sighting, break_detail`.execute(db);
}
