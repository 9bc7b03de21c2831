import { useCallback } from 'react';
import type { ApiClient } from '../api/client';
import { NamedList } from '../components/NamedList';

export function GroupsPanel({ api, app }: { api: ApiClient; app: string }) {
  const list = useCallback(() => api.listGroups(app), [api, app]);
  const members = useCallback(
    (group: string, page: { limit: number; offset: number }) => api.listGroupMembers(app, group, page),
    [api, app],
  );
  return (
    <section aria-labelledby="groups-title">
      <h2 id="groups-title">Groups</h2>
      <NamedList
        noun="group"
        list={list}
        members={members}
        memberName={(user) => user.username}
        create={(name) => api.createGroup(app, name)}
        remove={(name) => api.deleteGroup(app, name)}
        lossNote="Its members lose this group in their next tokens."
      />
    </section>
  );
}
