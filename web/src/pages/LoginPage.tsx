import { useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/client';
import { ErrorText, useAction } from '../components/common';

interface Props {
  api: ApiClient;
  notice: string | null;
  onLogin(token: string, expiresIn: number): void;
}

export function LoginPage({ api, notice, onLogin }: Props) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const session = await api.login(username, password);
      setPassword('');
      onLogin(session.token, session.expires_in);
    });
  };

  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="login-title" className="card">
        <h1 id="login-title">
          <img src="/admin/favicon.svg" alt="" width={28} height={28} /> jawth console
        </h1>
        {notice && (
          <p className="notice-text" role="status">
            {notice}
          </p>
        )}
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            required
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" disabled={action.busy}>
          {action.busy ? 'Logging in…' : 'Log in'}
        </button>
        <ErrorText error={action.error} />
      </form>
    </main>
  );
}
