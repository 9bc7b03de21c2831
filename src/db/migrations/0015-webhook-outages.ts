import type { QueryInterface } from 'sequelize';

const WEBHOOK_COLUMNS = [
  // Set when the endpoint is turned off: by an admin, a 410 Gone, or failing for WEBHOOK_DISABLE_AFTER.
  'disabled_at BIGINT',
  'disabled_reason VARCHAR(300)',
  // The first failed attempt since the last delivered one: how long the endpoint has been failing.
  'failing_since BIGINT',
  // One worker at a time sends to an endpoint: it holds this lease while an attempt is in flight.
  'lease_until BIGINT',
  'lease_owner VARCHAR(64)',
];

/**
 * Webhook outages (docs/api.md, Webhooks): endpoints that can be disabled and say why, how long
 * each has been failing, and a lease per endpoint, so that a delivery set aside after its first
 * attempts can be retried beside the queue without two attempts at one endpoint at once.
 * Deliveries gain the status `skipped` (no column: status is free text). Raw SQL: Sequelize's
 * addColumn names PostgreSQL's `public` schema (see 0006).
 */
export async function up(q: QueryInterface): Promise<void> {
  for (const column of WEBHOOK_COLUMNS) await q.sequelize.query(`ALTER TABLE webhooks ADD COLUMN ${column}`);
}

export async function down(q: QueryInterface): Promise<void> {
  for (const column of [...WEBHOOK_COLUMNS].reverse()) {
    await q.sequelize.query(`ALTER TABLE webhooks DROP COLUMN ${column.split(' ')[0]}`);
  }
}
