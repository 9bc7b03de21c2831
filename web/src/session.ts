/**
 * The admin session token lives in memory and in sessionStorage (so a reload keeps the tab
 * logged in), never in localStorage: it ends with the tab and is not shared with other tabs.
 */
const KEY = 'jawth.console.session';

export interface StoredSession {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export function loadSession(now = Date.now()): StoredSession | null {
  try {
    const raw = window.sessionStorage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StoredSession;
    if (typeof parsed.token !== 'string' || typeof parsed.expiresAt !== 'number') return null;
    return parsed.expiresAt > now ? parsed : null;
  } catch {
    return null;
  }
}

export function saveSession(session: StoredSession | null): void {
  try {
    if (session) window.sessionStorage.setItem(KEY, JSON.stringify(session));
    else window.sessionStorage.removeItem(KEY);
  } catch {
    // Storage may be disabled; the session then lives in memory only.
  }
}
