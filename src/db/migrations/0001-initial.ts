import { DataTypes, type QueryInterface } from 'sequelize';

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const createdAt = { type: DataTypes.DATE, allowNull: false };
const reference = (table: string) => ({
  type: DataTypes.INTEGER,
  allowNull: false,
  references: { model: table, key: 'id' },
  onDelete: 'CASCADE',
});

/** Applications, their users, groups, orgs, memberships and refresh-token sessions. */
export async function up(q: QueryInterface): Promise<void> {
  await q.createTable('applications', {
    id,
    name: { type: DataTypes.STRING(63), allowNull: false, unique: true },
    secret: { type: DataTypes.STRING(512), allowNull: false },
    secret_version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
    previous_secret: { type: DataTypes.STRING(512), allowNull: true },
    previous_secret_expires_at: { type: DataTypes.DATE, allowNull: true },
    refresh_secret: { type: DataTypes.STRING(512), allowNull: false },
    access_ttl: { type: DataTypes.INTEGER, allowNull: false },
    access_ttl_max: { type: DataTypes.INTEGER, allowNull: false },
    refresh_ttl_max: { type: DataTypes.INTEGER, allowNull: false },
    cors_origins: { type: DataTypes.TEXT, allowNull: false, defaultValue: '[]' },
    audience: { type: DataTypes.STRING(255), allowNull: true },
    created_at: createdAt,
    updated_at: createdAt,
  });

  await q.createTable('users', {
    id,
    uid: { type: DataTypes.STRING(36), allowNull: false, unique: true },
    application_id: reference('applications'),
    username: { type: DataTypes.STRING(128), allowNull: false },
    password_hash: { type: DataTypes.STRING(100), allowNull: false },
    role: { type: DataTypes.STRING(64), allowNull: false, defaultValue: 'user' },
    disabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    last_login_at: { type: DataTypes.DATE, allowNull: true },
    tokens_valid_after: { type: DataTypes.DATE, allowNull: true },
    created_at: createdAt,
    updated_at: createdAt,
  });
  await q.addIndex('users', ['application_id', 'username'], { unique: true, name: 'users_application_username' });

  await q.createTable('groups', {
    id,
    application_id: reference('applications'),
    name: { type: DataTypes.STRING(128), allowNull: false },
    created_at: createdAt,
  });
  await q.addIndex('groups', ['application_id', 'name'], { unique: true, name: 'groups_application_name' });

  await q.createTable('orgs', {
    id,
    name: { type: DataTypes.STRING(128), allowNull: false, unique: true },
    created_at: createdAt,
  });

  await q.createTable('user_groups', {
    user_id: { ...reference('users'), primaryKey: true },
    group_id: { ...reference('groups'), primaryKey: true },
  });
  await q.addIndex('user_groups', ['group_id'], { name: 'user_groups_group' });

  await q.createTable('user_orgs', {
    user_id: { ...reference('users'), primaryKey: true },
    org_id: { ...reference('orgs'), primaryKey: true },
  });
  await q.addIndex('user_orgs', ['org_id'], { name: 'user_orgs_org' });

  // Refresh tokens are stored only as the SHA-256 of their random jti.
  await q.createTable('sessions', {
    id,
    token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    family_id: { type: DataTypes.STRING(36), allowNull: false },
    user_id: reference('users'),
    expires_at: { type: DataTypes.DATE, allowNull: false },
    used_at: { type: DataTypes.DATE, allowNull: true },
    revoked_at: { type: DataTypes.DATE, allowNull: true },
    created_at: createdAt,
  });
  await q.addIndex('sessions', ['family_id'], { name: 'sessions_family' });
  await q.addIndex('sessions', ['user_id'], { name: 'sessions_user' });
  await q.addIndex('sessions', ['expires_at'], { name: 'sessions_expires' });
}

export async function down(q: QueryInterface): Promise<void> {
  for (const table of ['sessions', 'user_orgs', 'user_groups', 'orgs', 'groups', 'users', 'applications']) {
    await q.dropTable(table);
  }
}
