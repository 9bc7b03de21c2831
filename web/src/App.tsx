import { useCallback, useMemo, useRef, useState } from 'react';
import { ApiClient } from './api/client';
import { Link } from './components/common';
import { AccountPage } from './pages/AccountPage';
import { AppPage } from './pages/AppPage';
import { AppsPage } from './pages/AppsPage';
import { AuditPage } from './pages/AuditPage';
import { HomePage } from './pages/HomePage';
import { LoginPage } from './pages/LoginPage';
import { OrgsPage } from './pages/OrgsPage';
import { SetupPage } from './pages/SetupPage';
import { navigate, useRoute } from './router';
import { loadSession, saveSession, type StoredSession } from './session';

const EXPIRED = 'Your session has expired or was ended. Log in again to continue.';

export function App() {
  const [initial] = useState(() => loadSession());
  const [session, setSession] = useState<StoredSession | null>(initial.session);
  const [notice, setNotice] = useState<string | null>(initial.expired ? EXPIRED : null);
  const tokenRef = useRef<string | null>(session?.token ?? null);
  const route = useRoute();

  const endSession = useCallback((message: string | null) => {
    tokenRef.current = null;
    saveSession(null);
    setSession(null);
    setNotice(message);
  }, []);

  const api = useMemo(
    () =>
      new ApiClient({
        getToken: () => tokenRef.current,
        onUnauthorized: () => endSession(EXPIRED),
      }),
    [endSession],
  );

  const onLogin = (token: string, expiresIn: number) => {
    const next = { token, expiresAt: Date.now() + expiresIn * 1000 };
    tokenRef.current = token;
    saveSession(next);
    setNotice(null);
    setSession(next);
  };

  const logout = async () => {
    try {
      await api.logout();
    } catch {
      // An already expired session is over anyway; the tab forgets its token in every case.
    }
    endSession('You are logged out.');
  };

  const onSetup = (username: string) => {
    navigate({ page: 'home' });
    setNotice(`The admin account ${username} was created: log in with it.`);
  };

  if (!session && route.page === 'setup') return <SetupPage api={api} onDone={onSetup} />;
  if (!session) return <LoginPage api={api} notice={notice} onLogin={onLogin} />;

  return (
    <div className="shell">
      <header className="top">
        <Link to={{ page: 'home' }} className="brand">
          <img src="/admin/favicon.svg" alt="" width={24} height={24} />
          jawth console
        </Link>
        <nav aria-label="Main">
          <Link to={{ page: 'home' }} current={route.page === 'home'}>
            Overview
          </Link>
          <Link to={{ page: 'apps' }}>Applications</Link>
          <Link to={{ page: 'orgs' }}>Orgs</Link>
          <Link to={{ page: 'audit' }}>Audit log</Link>
          <Link to={{ page: 'account' }}>Account</Link>
          <button type="button" className="secondary" onClick={() => void logout()}>
            Log out
          </button>
        </nav>
      </header>
      <main>
        {(route.page === 'home' || route.page === 'setup') && (
          <HomePage api={api} app={route.page === 'home' ? route.app : undefined} />
        )}
        {route.page === 'apps' && <AppsPage api={api} />}
        {route.page === 'orgs' && <OrgsPage api={api} />}
        {route.page === 'account' && <AccountPage api={api} />}
        {route.page === 'audit' && <AuditPage key={route.app ?? ''} api={api} app={route.app} />}
        {route.page === 'app' && <AppPage key={route.app} api={api} name={route.app} tab={route.tab} />}
      </main>
    </div>
  );
}
