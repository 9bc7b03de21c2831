import { useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/client';
import type { Application } from '../api/types';
import { ErrorText, SecretNotice, splitList, useAction } from '../components/common';
import { navigate } from '../router';

interface Props {
  api: ApiClient;
  app: Application;
  onChange(app: Application): void;
}

export function SettingsPanel({ api, app, onChange }: Props) {
  return (
    <>
      <EditLifetimes api={api} app={app} onChange={onChange} />
      <RotateSecret api={api} app={app} onChange={onChange} />
      <DeleteApplication api={api} app={app} />
    </>
  );
}

function EditLifetimes({ api, app, onChange }: Props) {
  const [accessTtl, setAccessTtl] = useState(app.access_ttl);
  const [accessTtlMax, setAccessTtlMax] = useState(app.access_ttl_max);
  const [refreshTtlMax, setRefreshTtlMax] = useState(app.refresh_ttl_max);
  const [origins, setOrigins] = useState(app.cors_origins.join('\n'));
  const [audience, setAudience] = useState(app.audience ?? '');
  const [saved, setSaved] = useState(false);
  const action = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    void action.run(async () => {
      const updated = await api.updateApplication(app.name, {
        access_ttl: accessTtl.trim(),
        access_ttl_max: accessTtlMax.trim(),
        refresh_ttl_max: refreshTtlMax.trim(),
        cors_origins: splitList(origins),
        audience: audience.trim() ? audience.trim() : null,
      });
      onChange(updated);
      setSaved(true);
    });
  };

  return (
    <form onSubmit={submit} className="card form" aria-labelledby="lifetimes">
      <h2 id="lifetimes">Lifetimes and CORS</h2>
      <p className="muted">Durations such as 30s, 10m, 2h or 7d.</p>
      <div className="grid">
        <label>
          Login token lifetime (access_ttl)
          <input required value={accessTtl} onChange={(e) => setAccessTtl(e.target.value)} />
        </label>
        <label>
          Access token max (access_ttl_max)
          <input required value={accessTtlMax} onChange={(e) => setAccessTtlMax(e.target.value)} />
        </label>
        <label>
          Refresh token max (refresh_ttl_max)
          <input required value={refreshTtlMax} onChange={(e) => setRefreshTtlMax(e.target.value)} />
        </label>
        <label>
          Audience (optional)
          <input value={audience} onChange={(e) => setAudience(e.target.value)} />
        </label>
        <label>
          CORS origins (one per line)
          <textarea rows={3} value={origins} onChange={(e) => setOrigins(e.target.value)} />
        </label>
      </div>
      <button type="submit" disabled={action.busy}>
        {action.busy ? 'Saving…' : 'Save settings'}
      </button>
      {saved && <p role="status">Saved.</p>}
      <ErrorText error={action.error} />
    </form>
  );
}

function RotateSecret({ api, app, onChange }: Props) {
  const [grace, setGrace] = useState('1h');
  const [secret, setSecret] = useState<string | null>(null);
  const action = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const rotated = await api.rotateSecret(app.name, grace.trim() || '0s');
      setSecret(rotated.secret ?? null);
      // The page keeps the application without its secret: only the notice below shows it.
      onChange({ ...rotated, secret: undefined });
    });
  };

  return (
    <form onSubmit={submit} className="card form" aria-labelledby="rotate">
      <h2 id="rotate">Rotate secret</h2>
      <p className="muted">
        Current secret version: v{app.secret_version}. During the grace period tokens signed with the previous secret
        still verify on jawth's own endpoints; your applications need the new secret at once.
      </p>
      <label>
        Grace period
        <input value={grace} onChange={(e) => setGrace(e.target.value)} placeholder="0s" />
      </label>
      <button type="submit" disabled={action.busy}>
        {action.busy ? 'Rotating…' : 'Rotate secret'}
      </button>
      <ErrorText error={action.error} />
      {secret && <SecretNotice title={`New secret for "${app.name}"`} secret={secret} onDone={() => setSecret(null)} />}
    </form>
  );
}

function DeleteApplication({ api, app }: { api: ApiClient; app: Application }) {
  const [userCount, setUserCount] = useState<number | null>(null);
  const action = useAction();

  const ask = () => void action.run(async () => setUserCount(await api.countUsers(app.name)));
  const confirm = () =>
    void action.run(async () => {
      await api.deleteApplication(app.name);
      navigate({ page: 'apps' });
    });

  return (
    <section className="card danger" aria-labelledby="delete-app">
      <h2 id="delete-app">Delete application</h2>
      {userCount === null ? (
        <button type="button" className="danger" onClick={ask} disabled={action.busy}>
          Delete {app.name}…
        </button>
      ) : (
        <div role="group" aria-label="Confirm deletion">
          <p className="warning">
            Deleting “{app.name}” also deletes its {userCount} {userCount === 1 ? 'user' : 'users'}, its groups and
            every session. Tokens it issued stop verifying at once. This cannot be undone.
          </p>
          <div className="row">
            <button type="button" className="danger" onClick={confirm} disabled={action.busy}>
              Delete {app.name} and {userCount} {userCount === 1 ? 'user' : 'users'}
            </button>
            <button type="button" className="secondary" onClick={() => setUserCount(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <ErrorText error={action.error} />
    </section>
  );
}
