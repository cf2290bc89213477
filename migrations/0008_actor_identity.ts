import type { Kysely } from 'kysely';

// Frozen in time: this file never imports the application's types.
// (placeholder: filled in by the change that owns it)

export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}
