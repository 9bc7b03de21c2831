import type { QueryInterface } from 'sequelize';

/**
 * Wrong second-factor codes counted with the factor itself (docs/api.md, Brute-force
 * protection): the consecutive wrong codes from anywhere, and until when the factor refuses every
 * code once they reached the limit. Raw SQL: Sequelize's addColumn names PostgreSQL's `public`
 * schema (see 0006).
 */
export async function up(q: QueryInterface): Promise<void> {
  await q.sequelize.query('ALTER TABLE second_factors ADD COLUMN failed_codes INTEGER NOT NULL DEFAULT 0');
  await q.sequelize.query('ALTER TABLE second_factors ADD COLUMN locked_until BIGINT');
}

export async function down(q: QueryInterface): Promise<void> {
  await q.sequelize.query('ALTER TABLE second_factors DROP COLUMN locked_until');
  await q.sequelize.query('ALTER TABLE second_factors DROP COLUMN failed_codes');
}
