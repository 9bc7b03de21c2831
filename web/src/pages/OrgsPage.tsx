import { useCallback } from 'react';
import type { ApiClient } from '../api/client';
import { NamedList } from '../components/NamedList';

export function OrgsPage({ api }: { api: ApiClient }) {
  const list = useCallback(() => api.listOrgs(), [api]);
  return (
    <>
      <h1>Orgs</h1>
      <p className="muted">Orgs are shared by every application; users join them through their “orgs” field.</p>
      <NamedList
        noun="org"
        list={list}
        create={(name) => api.createOrg(name)}
        remove={(name) => api.deleteOrg(name)}
        lossNote="Users of every application lose this org in their next tokens."
      />
    </>
  );
}
