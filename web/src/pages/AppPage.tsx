import { useCallback, useEffect, useState } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import type { Application } from '../api/types';
import { ErrorText, Link, Loading, useAction } from '../components/common';
import { GroupsPanel } from './GroupsPanel';
import { SettingsPanel } from './SettingsPanel';
import { UsersPanel } from './UsersPanel';
import { WebhooksPanel } from './WebhooksPanel';

interface Props {
  api: ApiClient;
  name: string;
  tab: 'users' | 'settings' | 'groups';
}

const TABS = [
  { tab: 'users', label: 'Users' },
  { tab: 'groups', label: 'Groups' },
  { tab: 'settings', label: 'Settings' },
] as const;

export function AppPage({ api, name, tab }: Props) {
  const [app, setApp] = useState<Application | null>(null);
  const load = useAction();
  const { run } = load;

  const refresh = useCallback(() => {
    void run(async () => setApp(await api.getApplication(name)));
  }, [api, name, run]);
  useEffect(refresh, [refresh]);

  if (load.error instanceof ApiError && load.error.status === 404) return <AppNotFound name={name} />;

  return (
    <>
      <p className="crumbs">
        <Link to={{ page: 'apps' }}>Applications</Link> / <span>{name}</span>
      </p>
      <h1>{name}</h1>
      <ErrorText error={load.error} />
      {!app && !load.error && <Loading what="the application" />}
      {app && (
        <nav className="tabs" aria-label="Application sections">
          {TABS.map((t) => (
            <Link
              key={t.tab}
              to={{ page: 'app', app: name, tab: t.tab }}
              className={t.tab === tab ? 'current' : ''}
              current={t.tab === tab}
            >
              {t.label}
            </Link>
          ))}
          <Link to={{ page: 'audit', app: name }}>Audit log of {name}</Link>
        </nav>
      )}
      {app && tab === 'users' && <UsersPanel api={api} app={app.name} />}
      {app && tab === 'groups' && <GroupsPanel api={api} app={app.name} />}
      {app && tab === 'settings' && <SettingsPanel api={api} app={app} onChange={setApp} />}
      {app && tab === 'settings' && <WebhooksPanel api={api} app={app.name} />}
    </>
  );
}

/** An address naming no application (mistyped, or deleted since): no tabs to act on nothing. */
function AppNotFound({ name }: { name: string }) {
  return (
    <>
      <p className="crumbs">
        <Link to={{ page: 'apps' }}>Applications</Link> / <span>{name}</span>
      </p>
      <h1>Application not found</h1>
      <p>
        There is no application named “{name}”. It may have been deleted, or the address is mistyped (names are
        lowercase).
      </p>
      <p>
        <Link to={{ page: 'apps' }}>See all applications</Link>
      </p>
    </>
  );
}
