import type { Sequelize } from 'sequelize';
import { AdminAccount } from './admin-account.model';
import { AdminRequestJti } from './admin-request-jti.model';
import { AdminSession } from './admin-session.model';
import { AdminSetupToken } from './admin-setup-token.model';
import { Application } from './application.model';
import { AuditEntry } from './audit-entry.model';
import { Group } from './group.model';
import { Org } from './org.model';
import { Session } from './session.model';
import { User } from './user.model';

export {
  AdminAccount,
  AdminRequestJti,
  AdminSession,
  AdminSetupToken,
  Application,
  AuditEntry,
  Group,
  Org,
  Session,
  User,
};

/** Binds the models to a connection and declares their associations (tables come from migrations). */
export function initModels(sequelize: Sequelize): void {
  for (const model of [
    Application,
    User,
    Group,
    Org,
    Session,
    AdminAccount,
    AdminSession,
    AdminRequestJti,
    AdminSetupToken,
    AuditEntry,
  ]) {
    model.initModel(sequelize);
  }
  Application.hasMany(User, { foreignKey: 'applicationId', onDelete: 'CASCADE' });
  User.belongsTo(Application, { foreignKey: 'applicationId', as: 'application' });
  User.belongsToMany(Group, {
    through: 'user_groups',
    foreignKey: 'user_id',
    otherKey: 'group_id',
    as: 'groups',
    timestamps: false,
  });
  Group.belongsToMany(User, {
    through: 'user_groups',
    foreignKey: 'group_id',
    otherKey: 'user_id',
    as: 'users',
    timestamps: false,
  });
  User.belongsToMany(Org, {
    through: 'user_orgs',
    foreignKey: 'user_id',
    otherKey: 'org_id',
    as: 'orgs',
    timestamps: false,
  });
  Org.belongsToMany(User, {
    through: 'user_orgs',
    foreignKey: 'org_id',
    otherKey: 'user_id',
    as: 'users',
    timestamps: false,
  });
  Session.belongsTo(User, { foreignKey: 'userId', as: 'user' });
  AdminAccount.hasMany(AdminSession, { foreignKey: 'adminAccountId', onDelete: 'CASCADE' });
  AdminSession.belongsTo(AdminAccount, { foreignKey: 'adminAccountId', as: 'account' });
}
