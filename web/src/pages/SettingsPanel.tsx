import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/client';
import type { Application } from '../api/types';
import { ErrorText, SecretNotice, splitList, useAction } from '../components/common';
import { navigate } from '../router';
import { KeysPanel } from './KeysPanel';
import { SignupSettings } from './SignupSettings';

interface Props {
  api: ApiClient;
  app: Application;
  onChange(app: Application): void;
}

export function SettingsPanel({ api, app, onChange }: Props) {
  return (
    <>
      <EditLifetimes api={api} app={app} onChange={onChange} />
      <SignupSettings api={api} app={app} onChange={onChange} />
      <RotateSecret api={api} app={app} onChange={onChange} />
      <KeysPanel api={api} app={app.name} />
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
  const [mfa, setMfa] = useState(app.mfa);
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
        mfa,
      });
      onChange(updated);
      setSaved(true);
    });
  };

  return (
    <form onSubmit={submit} className="card form" aria-labelledby="lifetimes">
      <h2 id="lifetimes">Lifetimes, second factor and CORS</h2>
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
          Second factor (mfa)
          <select value={mfa} onChange={(e) => setMfa(e.target.value as Application['mfa'])}>
            <option value="off">off</option>
            <option value="optional">optional: users may enrol</option>
            <option value="required">required: every user must</option>
          </select>
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

/**
 * Rotation changes the key every backend verifies with, so it is confirmed like a delete. The grace
 * field is not in a form: Enter there submits nothing.
 */
function RotateSecret({ api, app, onChange }: Props) {
  const [grace, setGrace] = useState('1h');
  const [confirming, setConfirming] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const action = useAction();
  const ids = useId();
  const opener = useRef<HTMLButtonElement>(null);
  const question = useRef<HTMLDivElement>(null);
  const graceText = grace.trim() || '0s';

  useEffect(() => {
    if (confirming) question.current?.focus();
  }, [confirming]);

  const cancel = () => {
    setConfirming(false);
    action.clear();
    // The opener is back once the question is gone.
    setTimeout(() => opener.current?.focus());
  };

  const rotate = () =>
    void action.run(async () => {
      const rotated = await api.rotateSecret(app.name, graceText);
      setConfirming(false);
      setSecret(rotated.secret ?? null);
      // The page keeps the application without its secret: only the notice below shows it.
      onChange({ ...rotated, secret: undefined });
    });

  return (
    <section className="card form" aria-labelledby={`${ids}-rotate`}>
      <h2 id={`${ids}-rotate`}>Rotate secret</h2>
      <p className="muted">
        Current secret version: v{app.secret_version}. During the grace period tokens signed with the previous secret
        still verify on jawth's own endpoints; your applications need the new secret at once.
      </p>
      <label>
        Grace period
        <input
          value={grace}
          onChange={(e) => setGrace(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') e.preventDefault();
          }}
          placeholder="0s"
          disabled={confirming}
          aria-describedby={`${ids}-grace-hint`}
        />
      </label>
      <p id={`${ids}-grace-hint`} className="muted">
        A duration such as 0s, 10m or 1h.
      </p>
      {confirming ? (
        <div
          role="group"
          aria-labelledby={`${ids}-question`}
          className="confirm"
          tabIndex={-1}
          ref={question}
          onKeyDown={(e) => {
            if (e.key === 'Escape') cancel();
          }}
        >
          <p id={`${ids}-question`} className="warning">
            Rotate the secret of “{app.name}”? New tokens are signed with a new secret (v{app.secret_version + 1}) at
            once: every application that verifies {app.name}'s tokens rejects them until it has the new secret. Tokens
            signed with the current secret keep verifying on jawth's own endpoints for {graceText}.
          </p>
          <div className="row wrap">
            <button type="button" className="danger" onClick={rotate} disabled={action.busy}>
              {action.busy ? 'Rotating…' : `Rotate the secret of ${app.name} now`}
            </button>
            <button type="button" className="secondary" onClick={cancel}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="danger" ref={opener} onClick={() => setConfirming(true)}>
          Rotate secret…
        </button>
      )}
      <ErrorText error={action.error} />
      {secret && (
        <SecretNotice
          title={`New secret for "${app.name}"`}
          app={app.name}
          secret={secret}
          onDone={() => setSecret(null)}
        />
      )}
    </section>
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
            every session: their refresh tokens stop working at once. Tokens already issued keep verifying in your
            applications until they expire (at most {app.access_ttl_max}), because applications check them locally with
            the secret. This cannot be undone.
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
