import { QueryTypes, type QueryInterface } from 'sequelize';

/**
 * For a migration with `transaction: false` (index.ts): builds index `name` on `table (columns)`
 * without blocking writes. A plain CREATE INDEX holds off every write to the table while it
 * builds, minutes on a large one, with every instance's requests queued behind it; on PostgreSQL
 * CREATE INDEX CONCURRENTLY lets them go on, but cannot run in a transaction and, when killed or
 * failed, leaves an INVALID index behind. So: a valid index of that name means done; an invalid
 * one is dropped (concurrently) and built again. SQLite has neither concern: a plain
 * CREATE INDEX IF NOT EXISTS. `columns` is SQL, e.g. `application_id, lower(email)`.
 *
 *   export const transaction = false;
 *   export const up = (q) => createIndexConcurrently(q, 'users_created', 'users', 'application_id, created_at');
 */
export async function createIndexConcurrently(
  q: QueryInterface,
  name: string,
  table: string,
  columns: string,
  options: { unique?: boolean } = {},
): Promise<void> {
  const unique = options.unique ? 'UNIQUE ' : '';
  if (q.sequelize.getDialect() !== 'postgres') {
    await q.sequelize.query(`CREATE ${unique}INDEX IF NOT EXISTS ${name} ON ${table} (${columns})`);
    return;
  }
  const [existing] = await q.sequelize.query<{ valid: boolean }>(
    `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace`,
    { bind: [name], type: QueryTypes.SELECT },
  );
  if (existing?.valid) return;
  if (existing) await q.sequelize.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  await q.sequelize.query(`CREATE ${unique}INDEX CONCURRENTLY ${name} ON ${table} (${columns})`);
}
