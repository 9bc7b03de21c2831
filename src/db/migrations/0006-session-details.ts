import type { QueryInterface } from 'sequelize';

const COLUMNS = (timestamp: string) => [`last_used_at ${timestamp}`, 'ip VARCHAR(64)', 'user_agent VARCHAR(255)'];

/**
 * What an admin sees of each session (docs/api.md, Users and Sessions): where it was opened or last renewed (IP and
 * user agent, as seen through TRUST_PROXY) and when a token of it was last used. Raw SQL because
 * Sequelize's addColumn names PostgreSQL's `public` schema, and the tests give each file a schema.
 */
export async function up(q: QueryInterface): Promise<void> {
  const timestamp = q.sequelize.getDialect() === 'postgres' ? 'TIMESTAMP WITH TIME ZONE' : 'DATETIME';
  for (const column of COLUMNS(timestamp)) await q.sequelize.query(`ALTER TABLE sessions ADD COLUMN ${column}`);
}

export async function down(q: QueryInterface): Promise<void> {
  for (const column of ['user_agent', 'ip', 'last_used_at']) {
    await q.sequelize.query(`ALTER TABLE sessions DROP COLUMN ${column}`);
  }
}
