import { useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/client';
import { CredentialFields, ErrorText, useAction } from '../components/common';

interface Props {
  api: ApiClient;
  notice: string | null;
  onLogin(token: string, expiresIn: number): void;
}

export function LoginPage({ api, notice, onLogin }: Props) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  // Set once the password was right and the account asks for its second factor.
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const action = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const answer = mfaToken ? await api.loginWithCode(mfaToken, code.trim()) : await api.login(username, password);
      setPassword('');
      if ('mfa_required' in answer) {
        setMfaToken(answer.mfa_token);
        return;
      }
      setCode('');
      setMfaToken(null);
      onLogin(answer.token, answer.expires_in);
    });
  };

  if (mfaToken) {
    return (
      <main className="login">
        <form onSubmit={submit} aria-labelledby="code-title" className="card">
          <h1 id="code-title">Second factor</h1>
          <p className="muted">Type the 6-digit code of your authenticator app, or one of your recovery codes.</p>
          <label>
            Code
            <input
              name="code"
              autoComplete="one-time-code"
              inputMode="numeric"
              required
              autoFocus
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </label>
          <button type="submit" disabled={action.busy}>
            {action.busy ? 'Checking…' : 'Log in'}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setMfaToken(null);
              setCode('');
              action.clear();
            }}
          >
            Start again
          </button>
          <ErrorText error={action.error} />
        </form>
      </main>
    );
  }

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
        <CredentialFields username={username} password={password} onUsername={setUsername} onPassword={setPassword} />
        <button type="submit" disabled={action.busy}>
          {action.busy ? 'Logging in…' : 'Log in'}
        </button>
        <ErrorText error={action.error} />
      </form>
    </main>
  );
}
