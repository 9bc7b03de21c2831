import type { Sequelize } from 'sequelize';
import { AdminAccount } from './admin-account.model';
import { AdminSession } from './admin-session.model';
import { Application } from './application.model';
import { AuditEntry } from './audit-entry.model';
import { Group } from './group.model';
import { Org } from './org.model';
import { Session } from './session.model';
import { User } from './user.model';

export { AdminAccount, AdminSession, Application, AuditEntry, Group, Org, Session, User };

/** The model classes of one connection. */
export interface Models {
  Application: typeof Application;
  User: typeof User;
  Group: typeof Group;
  Org: typeof Org;
  Session: typeof Session;
  AdminAccount: typeof AdminAccount;
  AdminSession: typeof AdminSession;
  AuditEntry: typeof AuditEntry;
}

/**
 * Model classes bound to this connection, with their associations (tables come from
 * migrations). Each call makes fresh subclasses of the declarations above, which stay unbound:
 * Sequelize keeps the connection on the class, so sharing one class would tie every database
 * opened in the process to the last one.
 */
export function bindModels(sequelize: Sequelize): Models {
  const models: Models = {
    Application: class extends Application {},
    User: class extends User {},
    Group: class extends Group {},
    Org: class extends Org {},
    Session: class extends Session {},
    AdminAccount: class extends AdminAccount {},
    AdminSession: class extends AdminSession {},
    AuditEntry: class extends AuditEntry {},
  };
  for (const model of Object.values(models)) model.initModel(sequelize);
  const m = models;
  m.Application.hasMany(m.User, { foreignKey: 'applicationId', onDelete: 'CASCADE' });
  m.User.belongsTo(m.Application, { foreignKey: 'applicationId', as: 'application' });
  m.User.belongsToMany(m.Group, {
    through: 'user_groups',
    foreignKey: 'user_id',
    otherKey: 'group_id',
    as: 'groups',
    timestamps: false,
  });
  m.Group.belongsToMany(m.User, {
    through: 'user_groups',
    foreignKey: 'group_id',
    otherKey: 'user_id',
    as: 'users',
    timestamps: false,
  });
  m.User.belongsToMany(m.Org, {
    through: 'user_orgs',
    foreignKey: 'user_id',
    otherKey: 'org_id',
    as: 'orgs',
    timestamps: false,
  });
  m.Org.belongsToMany(m.User, {
    through: 'user_orgs',
    foreignKey: 'org_id',
    otherKey: 'user_id',
    as: 'users',
    timestamps: false,
  });
  m.Session.belongsTo(m.User, { foreignKey: 'userId', as: 'user' });
  m.AdminAccount.hasMany(m.AdminSession, { foreignKey: 'adminAccountId', onDelete: 'CASCADE' });
  m.AdminSession.belongsTo(m.AdminAccount, { foreignKey: 'adminAccountId', as: 'account' });
  return models;
}
