import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * The mail outbox (docs/api.md, Sign-up, confirmation and recovery): each account mail is a row
 * written in the transaction that made its token, then sent, and retried on a schedule while the
 * SMTP server is down, until its link expires. The body (it holds the link's token) is stored
 * sealed and cleared once the mail is sent or given up. A mail goes with its user (a replaced
 * sign-up's link is never sent) and its application. Times are epoch milliseconds.
 */
export async function up(q: QueryInterface): Promise<void> {
  await q.createTable('mail_outbox', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    application_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      references: { model: 'applications', key: 'id' },
      onDelete: 'CASCADE',
    },
    /** Null for a mail to an address no account of this application holds (the sign-up notice). */
    user_id: {
      type: DataTypes.INTEGER,
      allowNull: true,
      references: { model: 'users', key: 'id' },
      onDelete: 'CASCADE',
    },
    /** `confirm`, `recover` or `signup_notice`. */
    kind: { type: DataTypes.STRING(16), allowNull: false },
    recipient: { type: DataTypes.STRING(254), allowNull: false },
    /** The rendered subject and text as sealed JSON; empty once sent or given up. */
    content_sealed: { type: DataTypes.TEXT, allowNull: false },
    /** pending, sent or failed. */
    status: { type: DataTypes.STRING(16), allowNull: false },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    next_attempt_at: { type: DataTypes.BIGINT, allowNull: false },
    /** Not sent by then (its link expired), the mail is given up. */
    expires_at: { type: DataTypes.BIGINT, allowNull: false },
    lease_until: { type: DataTypes.BIGINT, allowNull: true },
    lease_owner: { type: DataTypes.STRING(64), allowNull: true },
    /** The last failure's code and message, never the mail's content. */
    last_error: { type: DataTypes.STRING(300), allowNull: true },
    created_at: { type: DataTypes.BIGINT, allowNull: false },
    finished_at: { type: DataTypes.BIGINT, allowNull: true },
  });
  await q.addIndex('mail_outbox', ['status', 'next_attempt_at'], { name: 'mail_outbox_due' });
  await q.addIndex('mail_outbox', ['user_id'], { name: 'mail_outbox_user' });
  await q.addIndex('mail_outbox', ['application_id'], { name: 'mail_outbox_application' });
}

export async function down(q: QueryInterface): Promise<void> {
  await q.dropTable('mail_outbox');
}
