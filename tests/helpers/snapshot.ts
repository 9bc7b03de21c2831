import { openApplicationSecret } from '../../src/crypto/secret-box';
import type { Models } from '../../src/db/models';
import { memberNames } from '../../src/services/user.service';
import { SECRET_KEY } from './context';

/**
 * Every row a dump carries, by natural key and without row ids, so two databases compare equal.
 * Application secrets opened (with `secretKey`, the tests' one unless told): each server seals
 * them afresh.
 */
export async function snapshotData(models: Models, secretKey = SECRET_KEY) {
  const { Application, Group, Org, User } = models;
  const apps = await Application.findAll({ order: [['name', 'ASC']] });
  const appName = new Map(apps.map((a) => [a.id, a.name]));
  const groups = await Group.findAll({ order: [['id', 'ASC']] });
  const orgs = await Org.findAll({ order: [['name', 'ASC']] });
  const users = await User.findAll({
    include: [
      { model: Group, as: 'groups', attributes: ['name'], through: { attributes: [] } },
      { model: Org, as: 'orgs', attributes: ['name'], through: { attributes: [] } },
    ],
    order: [['uid', 'ASC']],
  });
  return {
    applications: apps.map((a) => ({
      ...a.get({ plain: true }),
      id: undefined,
      secret: openApplicationSecret(a.secret, secretKey),
      previousSecret: a.previousSecret === null ? null : openApplicationSecret(a.previousSecret, secretKey),
      refreshSecret: openApplicationSecret(a.refreshSecret, secretKey),
    })),
    groups: groups
      .map((g) => ({ app: appName.get(g.applicationId), name: g.name, createdAt: g.createdAt }))
      .sort((a, b) => `${a.app}/${a.name}`.localeCompare(`${b.app}/${b.name}`)),
    orgs: orgs.map((o) => ({ name: o.name, createdAt: o.createdAt })),
    users: users.map((u) => ({
      app: appName.get(u.applicationId),
      uid: u.uid,
      username: u.username,
      passwordHash: u.passwordHash,
      role: u.role,
      disabled: u.disabled,
      email: u.email,
      lastLoginAt: u.lastLoginAt,
      tokensValidAfter: u.tokensValidAfter,
      createdAt: u.createdAt,
      updatedAt: u.updatedAt,
      ...memberNames(u),
    })),
  };
}
