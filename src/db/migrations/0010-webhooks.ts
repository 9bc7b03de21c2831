import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Webhooks (docs/api.md, Webhooks): an application's endpoints, the outbox of their deliveries
 * (written in the transaction of the change that raised the event) and each delivery's
 * attempts. Times are epoch milliseconds. The signing secret is stored sealed (secret-box).
 */
export async function up(q: QueryInterface): Promise<void> {
  await q.createTable('webhooks', {
    id: { type: DataTypes.STRING(36), primaryKey: true, allowNull: false },
    application_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'applications', key: 'id' },
      onDelete: 'CASCADE',
    },
    url: { type: DataTypes.STRING(2048), allowNull: false },
    /** Space-separated event types, e.g. `user.created user.deleted`. */
    events: { type: DataTypes.STRING(1000), allowNull: false },
    secret_sealed: { type: DataTypes.TEXT, allowNull: false },
    created_at: { type: DataTypes.BIGINT, allowNull: false },
    updated_at: { type: DataTypes.BIGINT, allowNull: false },
  });
  await q.addIndex('webhooks', ['application_id'], { name: 'webhooks_application' });
  await q.createTable('webhook_deliveries', {
    /** Its order within its endpoint: deliveries of one endpoint go one at a time, in this order. */
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    /** The `webhook-id` header: the same on every attempt, for receivers to deduplicate. */
    message_id: { type: DataTypes.STRING(40), allowNull: false, unique: true },
    webhook_id: {
      type: DataTypes.STRING(36),
      allowNull: false,
      references: { model: 'webhooks', key: 'id' },
      onDelete: 'CASCADE',
    },
    type: { type: DataTypes.STRING(64), allowNull: false },
    /** The JSON body, fixed when the event happened: every attempt sends the same bytes. */
    payload: { type: DataTypes.TEXT, allowNull: false },
    /** pending, delivered or failed (gave up after 24 hours). */
    status: { type: DataTypes.STRING(16), allowNull: false },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    next_attempt_at: { type: DataTypes.BIGINT, allowNull: false },
    /** Claimed by `lease_owner` until then; after it, another worker may take the delivery over. */
    lease_until: { type: DataTypes.BIGINT, allowNull: true },
    lease_owner: { type: DataTypes.STRING(64), allowNull: true },
    created_at: { type: DataTypes.BIGINT, allowNull: false },
    finished_at: { type: DataTypes.BIGINT, allowNull: true },
  });
  await q.addIndex('webhook_deliveries', ['status', 'next_attempt_at'], { name: 'webhook_deliveries_due' });
  await q.addIndex('webhook_deliveries', ['webhook_id', 'status', 'id'], { name: 'webhook_deliveries_queue' });
  await q.createTable('webhook_attempts', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    delivery_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'webhook_deliveries', key: 'id' },
      onDelete: 'CASCADE',
    },
    at: { type: DataTypes.BIGINT, allowNull: false },
    /** The receiver's HTTP status, or null when none came (refused, timed out). */
    status_code: { type: DataTypes.INTEGER, allowNull: true },
    error: { type: DataTypes.STRING(300), allowNull: true },
    duration_ms: { type: DataTypes.INTEGER, allowNull: false },
  });
  await q.addIndex('webhook_attempts', ['delivery_id'], { name: 'webhook_attempts_delivery' });
}

export async function down(q: QueryInterface): Promise<void> {
  await q.dropTable('webhook_attempts');
  await q.dropTable('webhook_deliveries');
  await q.dropTable('webhooks');
}
