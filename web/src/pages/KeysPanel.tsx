import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/client';
import type { AppKeyScope, ApplicationKey } from '../api/types';
import { ErrorText, Loading, ShownOnce, useAction } from '../components/common';
import { APP_KEY_SCOPES } from '../../../src/shared/constants';

/** What each scope allows, in the server's order of scopes (a new scope must be described here). */
const SCOPE_TEXTS: Record<AppKeyScope, string> = {
  'users:read': 'users:read: list and read users and their sessions',
  'users:write': 'users:write: create, change, disable and delete users, end their sessions',
  'mfa:reset': "mfa:reset: remove a user's second factor",
};
const SCOPES = APP_KEY_SCOPES.map((scope) => ({ scope, text: SCOPE_TEXTS[scope] }));

/**
 * The application's keys: its backend sends one as `Authorization: AppKey <key>` to manage its
 * own users. A key is shown once, when created; revoking is confirmed, and takes effect at once.
 */
export function KeysPanel({ api, app }: { api: ApiClient; app: string }) {
  const [keys, setKeys] = useState<ApplicationKey[] | null>(null);
  const [shown, setShown] = useState<{ label: string; key: string } | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const load = useAction();
  const revoke = useAction();
  const ids = useId();

  const { run } = load;
  useEffect(() => {
    void run(async () => setKeys(await api.listKeys(app)));
  }, [api, app, run]);

  const revokeNow = (key: ApplicationKey) =>
    void revoke.run(async () => {
      await api.revokeKey(app, key.id);
      setConfirm(null);
      setStatus(`Revoked the key “${key.label}”.`);
      setKeys((list) => (list ?? []).filter((k) => k.id !== key.id));
    });

  return (
    <section className="card form" aria-labelledby={`${ids}-keys`}>
      <h2 id={`${ids}-keys`}>Application keys</h2>
      <p className="muted">
        Your backend sends a key as <code>Authorization: AppKey &lt;key&gt;</code> to manage {app}'s users, within the
        key's scopes, and nothing else.
      </p>
      {keys === null && !load.error && <Loading what="keys" />}
      <ErrorText error={load.error} />
      {keys && keys.length === 0 && <p>No keys yet.</p>}
      {keys && keys.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id}>
                  <td>{key.label}</td>
                  <td>{key.scopes.join(', ')}</td>
                  <td>
                    <time dateTime={key.created_at}>{new Date(key.created_at).toLocaleString()}</time>
                  </td>
                  <td>
                    {confirm === key.id ? (
                      <div role="group" aria-label={`Confirm revoking ${key.label}`} className="row wrap">
                        <span className="warning">Calls with this key are refused at once.</span>
                        <button type="button" className="danger" onClick={() => revokeNow(key)} disabled={revoke.busy}>
                          Revoke “{key.label}”
                        </button>
                        <button type="button" className="secondary" onClick={() => setConfirm(null)}>
                          Cancel
                        </button>
                      </div>
                    ) : (
                      <button type="button" className="danger" onClick={() => setConfirm(key.id)}>
                        Revoke…
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorText error={revoke.error} />
      {status && <p role="status">{status}</p>}
      <CreateKey
        api={api}
        app={app}
        onCreated={(created) => {
          setShown({ label: created.label, key: created.key });
          setStatus(null);
          setKeys((list) => [...(list ?? []), created]);
        }}
      />
      {shown && <KeyNotice label={shown.label} value={shown.key} onDone={() => setShown(null)} />}
    </section>
  );
}

function CreateKey({
  api,
  app,
  onCreated,
}: {
  api: ApiClient;
  app: string;
  onCreated(key: ApplicationKey & { key: string }): void;
}) {
  const [label, setLabel] = useState('');
  const [scopes, setScopes] = useState<AppKeyScope[]>(['users:read']);
  const action = useAction();
  const ids = useId();

  const toggle = (scope: AppKeyScope, on: boolean) =>
    setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      onCreated(await api.createKey(app, { label: label.trim(), scopes }));
      setLabel('');
    });
  };

  return (
    <form onSubmit={submit} aria-labelledby={`${ids}-new`} className="form">
      <h3 id={`${ids}-new`}>Create a key</h3>
      <label>
        Label
        <input required maxLength={100} value={label} onChange={(e) => setLabel(e.target.value)} />
      </label>
      <fieldset className="choices">
        <legend>Scopes</legend>
        {SCOPES.map(({ scope, text }) => (
          <label key={scope}>
            <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => toggle(scope, e.target.checked)} />
            {text}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={action.busy || scopes.length === 0}>
        {action.busy ? 'Creating…' : 'Create key'}
      </button>
      <ErrorText error={action.error} />
    </form>
  );
}

/** The new key, once: only its hash is kept, so it cannot be shown again. */
function KeyNotice({ label, value, onDone }: { label: string; value: string; onDone(): void }) {
  return (
    <ShownOnce id="key-title" title={`New key “${label}”`} what="Key" value={value} onDone={onDone}>
      Store this key now where your backend reads it: it is not shown again. If it is lost, revoke it and create
      another.
    </ShownOnce>
  );
}
