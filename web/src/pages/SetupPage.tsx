import { useState, type FormEvent } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import { CredentialFields, ErrorText, useAction } from '../components/common';

interface Props {
  api: ApiClient;
  onDone(username: string): void;
}

/**
 * The token arrives in the URL fragment, which browsers never send to a server; it is read once
 * and removed from the address bar and history. It leaves the page only in the POST body.
 */
function takeToken(): string {
  const token = window.location.hash.slice(1);
  if (token) window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return token;
}

/** What went wrong, in words that say what to do next. */
function explain(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.status === 401) {
    return new Error(
      'This setup link is wrong, used or expired (it lasts 1 hour). Restart the server for a new one, or run `npx jawth init`.',
    );
  }
  if (error.status === 409) return new Error('An admin account exists already: log in with it instead.');
  return error;
}

/** First run (docs/api.md, first-run setup): creates the first admin account with the link printed at start. */
export function SetupPage({ api, onDone }: Props) {
  const [token] = useState(takeToken);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const action = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setMismatch(password !== repeated);
    if (password !== repeated) return;
    void action.run(async () => {
      try {
        await api.setup(token, username, password);
      } catch (error) {
        throw explain(error);
      }
      onDone(username);
    });
  };

  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="setup-title" className="card">
        <h1 id="setup-title">
          <img src="/admin/favicon.svg" alt="" width={28} height={28} /> Create the first admin
        </h1>
        {!token ? (
          <p className="error" role="alert">
            This page needs the setup link the server printed at start (it ends with #…). Open that link, or run `npx
            jawth init`.
          </p>
        ) : (
          <p className="muted">This link works once, for 1 hour. The account can then log in to the console.</p>
        )}
        <CredentialFields
          username={username}
          password={password}
          onUsername={setUsername}
          onPassword={setPassword}
          newPassword
        />
        <label>
          Repeat password
          <input
            name="repeated_password"
            type="password"
            autoComplete="new-password"
            required
            value={repeated}
            onChange={(e) => setRepeated(e.target.value)}
          />
        </label>
        <button type="submit" disabled={action.busy || !token}>
          {action.busy ? 'Creating…' : 'Create admin account'}
        </button>
        {mismatch && (
          <p className="error" role="alert">
            The two passwords differ: type the same password twice.
          </p>
        )}
        <ErrorText error={action.error} />
      </form>
    </main>
  );
}
