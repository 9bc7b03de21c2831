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

/** The tab's session, or why there is none: `expired` when it had one that ran out. */
export function loadSession(now = Date.now()): { session: StoredSession | null; expired: boolean } {
  try {
    const raw = window.sessionStorage.getItem(KEY);
    if (!raw) return { session: null, expired: false };
    const parsed = JSON.parse(raw) as StoredSession;
    if (typeof parsed.token !== 'string' || typeof parsed.expiresAt !== 'number')
      return { session: null, expired: false };
    if (parsed.expiresAt > now) return { session: parsed, expired: false };
    window.sessionStorage.removeItem(KEY);
    return { session: null, expired: true };
  } catch {
    return { session: null, expired: false };
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
