import { assertThat } from '../errors';
import { underParent, uniquely } from '../db/unique';
import type { Application } from '../db/application.repository';
import type { Membership, MembershipScope } from '../db/group.repository';
import type { GroupResponse, OrgResponse } from '../schemas/responses.schema';
import type { Deps } from './deps';
import { loadUsers } from './user.service';

/** Groups belong to one application; orgs are global (docs/api.md, Groups and orgs). */
export function serializeGroup(group: Membership, appName: string): GroupResponse {
  return { name: group.name, app: appName, created_at: group.createdAt.toISOString() };
}

export function serializeOrg(org: Membership): OrgResponse {
  return { name: org.name, created_at: org.createdAt.toISOString() };
}

const groupsOf = (app: Pick<Application, 'id'>): MembershipScope => ({ kind: 'group', applicationId: app.id });
const ORGS: MembershipScope = { kind: 'org' };

export function listGroups(app: Application, limit: number, offset: number, deps: Pick<Deps, 'groups'>) {
  return deps.groups.list(groupsOf(app), limit, offset);
}

export function createGroup(app: Application, name: string, deps: Pick<Deps, 'groups'>) {
  const create = () =>
    uniquely(
      () => deps.groups.create(groupsOf(app), name),
      'group_name_taken',
      `Group "${name}" of "${app.name}" already exists.`,
    );
  return underParent(create, 'application_not_found', `No application is named "${app.name}".`);
}

export async function findGroup(app: Application, name: string, deps: Pick<Deps, 'groups'>): Promise<Membership> {
  const group = await deps.groups.find(groupsOf(app), name);
  assertThat(group, 'group_not_found', `No group "${name}" in application "${app.name}".`);
  return group;
}

export function listOrgs(limit: number, offset: number, deps: Pick<Deps, 'groups'>) {
  return deps.groups.list(ORGS, limit, offset);
}

export function createOrg(name: string, deps: Pick<Deps, 'groups'>) {
  return uniquely(() => deps.groups.create(ORGS, name), 'org_name_taken', `Org "${name}" already exists.`);
}

export async function findOrg(name: string, deps: Pick<Deps, 'groups'>): Promise<Membership> {
  const org = await deps.groups.find(ORGS, name);
  assertThat(org, 'org_not_found', `No org is named "${name}".`);
  return org;
}

const scopeOf = (row: Membership): MembershipScope =>
  row.applicationId === null ? ORGS : { kind: 'group', applicationId: row.applicationId };

/** Deleting a group or org removes it from its members (ON DELETE CASCADE on the link table). */
export async function deleteMembership(row: Membership, deps: Pick<Deps, 'groups'>): Promise<void> {
  await deps.groups.remove(scopeOf(row), row.id);
}

/** The members of a group or org, a page at a time, with their memberships and application. */
export async function listMembers(
  row: Membership,
  limit: number,
  offset: number,
  deps: Pick<Deps, 'groups' | 'users'>,
) {
  const { count, ids } = await deps.groups.memberIds(scopeOf(row), row.id, limit, offset);
  return { count, rows: await loadUsers(ids, deps) };
}
