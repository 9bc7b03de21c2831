import { DataTypes, type QueryInterface } from 'sequelize';

/** The audit log (docs/api.md, Audit log): admin changes and login attempts, never a credential. */
export async function up(q: QueryInterface): Promise<void> {
  await q.createTable('audit_log', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    at: { type: DataTypes.DATE, allowNull: false },
    actor: { type: DataTypes.STRING(255), allowNull: false },
    action: { type: DataTypes.STRING(64), allowNull: false },
    app: { type: DataTypes.STRING(63), allowNull: true },
    target: { type: DataTypes.STRING(255), allowNull: true },
    ip: { type: DataTypes.STRING(64), allowNull: true },
    user_agent: { type: DataTypes.STRING(255), allowNull: true },
    outcome: { type: DataTypes.STRING(32), allowNull: false },
    detail: { type: DataTypes.TEXT, allowNull: true },
  });
  await q.addIndex('audit_log', ['at'], { name: 'audit_log_at' });
  await q.addIndex('audit_log', ['app', 'at'], { name: 'audit_log_app_at' });
  await q.addIndex('audit_log', ['action', 'at'], { name: 'audit_log_action_at' });
}

export async function down(q: QueryInterface): Promise<void> {
  await q.dropTable('audit_log');
}
