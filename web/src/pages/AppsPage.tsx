import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/client';
import type { Application } from '../api/types';
import { ErrorText, Link, Loading, SecretNotice, splitList, useAction } from '../components/common';

export function AppsPage({ api }: { api: ApiClient }) {
  const [apps, setApps] = useState<Application[] | null>(null);
  const [search, setSearch] = useState('');
  const [created, setCreated] = useState<Application | null>(null);
  const load = useAction();
  const { run } = load;

  const refresh = useCallback(() => {
    void run(async () => setApps((await api.listApplications()).items));
  }, [api, run]);
  useEffect(refresh, [refresh]);

  const needle = search.trim().toLowerCase();
  const shown = apps?.filter((app) => app.name.includes(needle)) ?? [];

  return (
    <>
      <h1>Applications</h1>
      {created?.secret && (
        <SecretNotice
          title={`Application "${created.name}" created`}
          app={created.name}
          secret={created.secret}
          onDone={() => setCreated(null)}
        />
      )}
      <CreateApplication
        api={api}
        onCreated={(app) => {
          setCreated(app);
          refresh();
        }}
      />
      <section aria-labelledby="apps-list">
        <h2 id="apps-list">All applications</h2>
        <label className="search">
          Search applications
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name" />
        </label>
        <ErrorText error={load.error} />
        {apps === null && !load.error && <Loading what="applications" />}
        {apps !== null && apps.length === 0 && <p className="empty">No applications yet. Create the first above.</p>}
        {apps !== null && apps.length > 0 && shown.length === 0 && (
          <p className="empty">No application matches “{search}”.</p>
        )}
        <ul className="cards">
          {shown.map((app) => (
            <li key={app.name} className="card">
              <Link to={{ page: 'app', app: app.name, tab: 'users' }} className="title">
                {app.name}
              </Link>
              <dl className="facts">
                <dt>Token lifetime</dt>
                <dd>{app.access_ttl}</dd>
                <dt>Refresh max</dt>
                <dd>{app.refresh_ttl_max}</dd>
                <dt>CORS origins</dt>
                <dd>{app.cors_origins.length === 0 ? 'none' : app.cors_origins.join(', ')}</dd>
                <dt>Secret version</dt>
                <dd>v{app.secret_version}</dd>
              </dl>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function CreateApplication({ api, onCreated }: { api: ApiClient; onCreated(app: Application): void }) {
  const [name, setName] = useState('');
  const [accessTtl, setAccessTtl] = useState('');
  const [refreshTtlMax, setRefreshTtlMax] = useState('');
  const [origins, setOrigins] = useState('');
  const action = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const app = await api.createApplication({
        name: name.trim(),
        ...(accessTtl.trim() ? { access_ttl: accessTtl.trim() } : {}),
        ...(refreshTtlMax.trim() ? { refresh_ttl_max: refreshTtlMax.trim() } : {}),
        ...(origins.trim() ? { cors_origins: splitList(origins) } : {}),
      });
      setName('');
      setAccessTtl('');
      setRefreshTtlMax('');
      setOrigins('');
      onCreated(app);
    });
  };

  return (
    <form onSubmit={submit} className="card form" aria-labelledby="create-app">
      <h2 id="create-app">New application</h2>
      <div className="grid">
        <label>
          Name
          <input required value={name} onChange={(e) => setName(e.target.value)} placeholder="my-app" />
        </label>
        <label>
          Token lifetime (optional)
          <input value={accessTtl} onChange={(e) => setAccessTtl(e.target.value)} placeholder="15m" />
        </label>
        <label>
          Refresh token max (optional)
          <input value={refreshTtlMax} onChange={(e) => setRefreshTtlMax(e.target.value)} placeholder="24h" />
        </label>
        <label>
          CORS origins (one per line, optional)
          <textarea
            rows={2}
            value={origins}
            onChange={(e) => setOrigins(e.target.value)}
            placeholder="https://app.example.com"
          />
        </label>
      </div>
      <button type="submit" disabled={action.busy}>
        {action.busy ? 'Creating…' : 'Create application'}
      </button>
      <ErrorText error={action.error} />
    </form>
  );
}
