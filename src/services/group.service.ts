import { assertThat } from '../errors';
import { underParent, uniquely } from '../db/unique';
import type { Application, Group, Org, User } from '../db/models';
import type { GroupResponse, OrgResponse } from '../schemas/responses.schema';
import type { Deps } from './deps';
import { loadUsers } from './user.service';

/** Groups belong to one application; orgs are global (docs/api.md, Groups and orgs). */
export function serializeGroup(group: Group, appName: string): GroupResponse {
  return { name: group.name, app: appName, created_at: group.createdAt.toISOString() };
}

export function serializeOrg(org: Org): OrgResponse {
  return { name: org.name, created_at: org.createdAt.toISOString() };
}

export function listGroups(app: Application, limit: number, offset: number, deps: Pick<Deps, 'models'>) {
  return deps.models.Group.findAndCountAll({
    where: { applicationId: app.id },
    order: [['name', 'ASC']],
    limit,
    offset,
  });
}

export function createGroup(app: Application, name: string, deps: Pick<Deps, 'models'>) {
  const create = () =>
    uniquely(
      () => deps.models.Group.create({ applicationId: app.id, name }),
      'group_name_taken',
      `Group "${name}" of "${app.name}" already exists.`,
    );
  return underParent(create, 'application_not_found', `No application is named "${app.name}".`);
}

export async function findGroup(app: Application, name: string, deps: Pick<Deps, 'models'>): Promise<Group> {
  const group = await deps.models.Group.findOne({ where: { applicationId: app.id, name } });
  assertThat(group, 'group_not_found', `No group "${name}" in application "${app.name}".`);
  return group;
}

export function listOrgs(limit: number, offset: number, deps: Pick<Deps, 'models'>) {
  return deps.models.Org.findAndCountAll({ order: [['name', 'ASC']], limit, offset });
}

export function createOrg(name: string, deps: Pick<Deps, 'models'>) {
  return uniquely(() => deps.models.Org.create({ name }), 'org_name_taken', `Org "${name}" already exists.`);
}

export async function findOrg(name: string, deps: Pick<Deps, 'models'>): Promise<Org> {
  const org = await deps.models.Org.findOne({ where: { name } });
  assertThat(org, 'org_not_found', `No org is named "${name}".`);
  return org;
}

/** Deleting a group or org removes it from its members (ON DELETE CASCADE on the link table). */
export async function deleteMembership(row: Group | Org): Promise<void> {
  await row.destroy();
}

interface HasMembers {
  countUsers(): Promise<number>;
  getUsers(options: object): Promise<User[]>;
}

/** The members of a group or org, a page at a time, with their memberships and application. */
export async function listMembers(row: Group | Org, limit: number, offset: number, deps: Pick<Deps, 'db'>) {
  const members = row as unknown as HasMembers;
  const [count, page] = await Promise.all([
    members.countUsers(),
    members.getUsers({ attributes: ['id'], joinTableAttributes: [], order: [['id', 'ASC']], limit, offset }),
  ]);
  return {
    count,
    rows: await loadUsers(
      page.map((user) => user.id),
      deps,
    ),
  };
}
