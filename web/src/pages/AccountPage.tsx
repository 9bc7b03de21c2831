import { useEffect, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/client';
import type { AdminAccount, MfaEnrolment } from '../api/types';
import { ErrorText, useAction } from '../components/common';

/** The account of this console session: its second factor (TOTP), enrolled here. */
export function AccountPage({ api }: { api: ApiClient }) {
  const [account, setAccount] = useState<AdminAccount | null>(null);
  const [enrolment, setEnrolment] = useState<MfaEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const load = useAction();
  const action = useAction();

  useEffect(() => {
    void load.run(async () => setAccount(await api.account()));
  }, [api]);

  const start = () =>
    void action.run(async () => {
      setEnrolment(await api.enrolMfa());
      setCode('');
    });

  const confirm = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const { recovery_codes } = await api.confirmMfa(code.trim());
      setRecoveryCodes(recovery_codes);
      setEnrolment(null);
      setAccount((current) => (current ? { ...current, mfa_active: true } : current));
    });
  };

  return (
    <>
      <h1>Account</h1>
      <ErrorText error={load.error} />
      {account && (
        <section className="card form" aria-labelledby="mfa-title">
          <h2 id="mfa-title">Second factor</h2>
          <p role="status">
            {account.username}:{' '}
            {account.mfa_active ? 'a second factor is active; logins ask for a code.' : 'no second factor.'}
          </p>
          {!account.mfa_active && !enrolment && (
            <button type="button" onClick={start} disabled={action.busy}>
              Set up an authenticator app
            </button>
          )}
          {enrolment && (
            <form onSubmit={confirm} aria-label="Confirm the second factor">
              <p>Scan this QR code with an authenticator app, or type the key below into it.</p>
              {/* An SVG this server drew from the otpauth URI: no script, and inline per the CSP. */}
              <div className="qr" aria-label="QR code" dangerouslySetInnerHTML={{ __html: enrolment.qr_svg }} />
              <label>
                Key
                <input className="mono" readOnly value={enrolment.secret} onFocus={(e) => e.currentTarget.select()} />
              </label>
              <label>
                First code from the app
                <input
                  name="code"
                  autoComplete="one-time-code"
                  inputMode="numeric"
                  required
                  value={code}
                  onChange={(e) => setCode(e.target.value)}
                />
              </label>
              <button type="submit" disabled={action.busy}>
                {action.busy ? 'Checking…' : 'Activate'}
              </button>
            </form>
          )}
          {recoveryCodes && (
            <section className="notice" aria-labelledby="recovery-title">
              <h3 id="recovery-title">Recovery codes</h3>
              <p className="warning">
                Each of these codes logs you in once instead of a code of the app. Store them somewhere safe: they are
                not shown again.
              </p>
              <pre className="mono" aria-label="The recovery codes">
                {recoveryCodes.join('\n')}
              </pre>
              <button type="button" className="secondary" onClick={() => setRecoveryCodes(null)}>
                I have stored them
              </button>
            </section>
          )}
          <ErrorText error={action.error} />
        </section>
      )}
    </>
  );
}
