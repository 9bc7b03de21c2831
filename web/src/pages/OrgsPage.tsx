import { useCallback } from 'react';
import type { ApiClient } from '../api/client';
import { NamedList } from '../components/NamedList';

export function OrgsPage({ api }: { api: ApiClient }) {
  const list = useCallback(() => api.listOrgs(), [api]);
  const members = useCallback(
    (org: string, page: { limit: number; offset: number }) => api.listOrgMembers(org, page),
    [api],
  );
  return (
    <>
      <h1>Orgs</h1>
      <p className="muted">
        Orgs are shared by every application; users join them in the Users tab of their application.
      </p>
      <NamedList
        noun="org"
        list={list}
        members={members}
        memberName={(user) => `${user.username} (${user.app})`}
        create={(name) => api.createOrg(name)}
        remove={(name) => api.deleteOrg(name)}
        lossNote="Users of every application lose this org in their next tokens."
      />
    </>
  );
}
