import { JawthClientError, LoginRequiredError, SecondFactorRequiredError } from './errors.js';
import { tokenTimes } from './token-times.js';

export interface JawthClientOptions {
  /** jawth's base URL, e.g. `https://auth.example.com`. */
  server: string;
  /** The application (Quid's namespace). */
  app: string;
  /** A refresh token kept from an earlier session. */
  refreshToken?: string;
  /** Use `POST /:app/refresh` (rotating: each use returns a new refresh token) instead of `/token/access`. */
  rotate?: boolean;
  /** Lifetime asked of `/token/access/:ttl` (`10m`); the application's `access_ttl` when unset. */
  accessTtl?: string;
  /** Renew an access token this many seconds before its `exp` (at most half its lifetime). Default 30. */
  renewBefore?: number;
  /** Called whenever the refresh token changes (login, rotation), with null when it is dropped. */
  onRefreshToken?: (refreshToken: string | null) => void;
  /** Called when jawth refuses the refresh token: the user must log in again. */
  onLoginRequired?: (error: LoginRequiredError) => void;
  /** Defaults to the global fetch (Node 20, browsers). */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; defaults to Date.now. */
  now?: () => number;
}

/** Who logged in: the login answer without its tokens, which the client keeps to itself. */
export interface LoginResult {
  username: string;
  uid: string;
  role: string;
}

interface CachedAccess {
  token: string;
  renewAt: number;
}

/**
 * Quid's client behaviour for jawth: holds a refresh token, obtains access tokens (cached until
 * shortly before they expire), and on a 401 from an API renews the access token once and retries.
 * Tokens stay in memory; the client never logs them.
 */
export class JawthClient {
  private refresh: string | null;
  private access: CachedAccess | null = null;
  private renewing: Promise<string> | null = null;
  private readonly server: string;
  private readonly http: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: JawthClientOptions) {
    this.server = options.server.replace(/\/+$/, '');
    this.refresh = options.refreshToken ?? null;
    this.http = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
  }

  get refreshToken(): string | null {
    return this.refresh;
  }

  /** Replaces the refresh token (null forgets it) and drops any cached access token. */
  setRefreshToken(token: string | null): void {
    this.refresh = token;
    this.access = null;
  }

  /**
   * `POST /:app/login`: keeps the refresh token and uses the login token as the first access token.
   * Throws SecondFactorRequiredError when the application asks for a code (then `loginWithCode`).
   */
  async login(username: string, password: string): Promise<LoginResult> {
    const body = await this.post(`/${encodeURIComponent(this.options.app)}/login`, { username, password }, false);
    return this.loggedIn(body);
  }

  /** `POST /:app/login/mfa`: completes a login with a TOTP code or a recovery code. */
  async loginWithCode(mfaToken: string, code: string): Promise<LoginResult> {
    const app = encodeURIComponent(this.options.app);
    return this.loggedIn(await this.post(`/${app}/login/mfa`, { mfa_token: mfaToken, code }, false));
  }

  private loggedIn(body: Record<string, unknown>): LoginResult {
    this.keep(body);
    return { username: String(body.username), uid: String(body.uid), role: String(body.role) };
  }

  /** Forgets both tokens (jawth's sessions are ended by an administrator or a password change). */
  logout(): void {
    this.updateRefreshToken(null);
  }

  /** A valid access token: the cached one, or a new one (one renewal at a time). */
  async getAccessToken(): Promise<string> {
    if (this.access && this.now() < this.access.renewAt) return this.access.token;
    this.renewing ??= this.renew().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  /**
   * fetch with `Authorization: Bearer <access token>`. On a 401 the access token is renewed once
   * and the request retried, so a body must be replayable (a string, Buffer, Blob, FormData...).
   */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const token = await this.getAccessToken();
    const response = await this.http(url, withBearer(init, token));
    if (response.status !== 401) return response;
    // Only the request that saw the token fail drops it, so parallel 401s renew once.
    if (this.access?.token === token) this.access = null;
    const renewed = await this.getAccessToken();
    return this.http(url, withBearer(init, renewed));
  }

  private async renew(): Promise<string> {
    if (this.refresh === null) throw this.loginRequired(0, 'no_refresh_token', 'No refresh token: log in first.');
    const app = encodeURIComponent(this.options.app);
    if (this.options.rotate) {
      return this.keep(await this.post(`/${app}/refresh`, { refresh_token: this.refresh }, true));
    }
    const ttl = this.options.accessTtl ? `/${encodeURIComponent(this.options.accessTtl)}` : '';
    const payload = { namespace: this.options.app, refresh_token: this.refresh };
    return this.cacheAccess(String((await this.post(`/token/access${ttl}`, payload, true)).token), undefined);
  }

  /** Stores what `/:app/login` and `/:app/refresh` answer: an access token and a refresh token. */
  private keep(body: Record<string, unknown>): string {
    if (typeof body.refresh_token === 'string') this.updateRefreshToken(body.refresh_token);
    return this.cacheAccess(String(body.token), typeof body.expires_in === 'number' ? body.expires_in : undefined);
  }

  private cacheAccess(token: string, expiresIn: number | undefined): string {
    const nowSeconds = this.now() / 1000;
    const { iat, exp } = tokenTimes(token, nowSeconds, expiresIn);
    const margin = Math.min(this.options.renewBefore ?? 30, (exp - iat) / 2);
    this.access = { token, renewAt: (exp - margin) * 1000 };
    return token;
  }

  private updateRefreshToken(token: string | null): void {
    this.setRefreshToken(token);
    this.options.onRefreshToken?.(token);
  }

  private async post(path: string, payload: unknown, refreshing: boolean): Promise<Record<string, unknown>> {
    const response = await this.http(`${this.server}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(payload),
    });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.ok && typeof body.token === 'string') return body;
    if (response.ok && typeof body.mfa_token === 'string') {
      const enrolment = body.mfa_enrolment_required === true;
      const what = enrolment ? 'enrol a second factor first' : 'send a code of the second factor';
      throw new SecondFactorRequiredError(`The password is right; ${what}.`, body.mfa_token, enrolment);
    }
    const code = typeof body.error === 'string' ? body.error : 'unexpected_response';
    const message = typeof body.message === 'string' ? body.message : `jawth answered ${response.status}`;
    if (refreshing && response.status === 401) throw this.loginRequired(response.status, code, message);
    throw new JawthClientError(message, response.status, code);
  }

  private loginRequired(status: number, code: string, message: string): LoginRequiredError {
    const error = new LoginRequiredError(message, status, code);
    if (this.refresh !== null) this.updateRefreshToken(null);
    this.options.onLoginRequired?.(error);
    return error;
  }
}

function withBearer(init: RequestInit, token: string): RequestInit {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return { ...init, headers };
}
