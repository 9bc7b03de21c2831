/**
 * How an application's login page logs a user in when jawth may ask for a second factor.
 * Plain JavaScript for a browser (a <script> tag: `jawthLogIn`) and Node 20 (`require`).
 *
 *   POST /:app/login  → the tokens                          (no second factor: as always)
 *                     → {mfa_required, mfa_token}           (ask the code, then POST /:app/login/mfa)
 *                     → {mfa_enrolment_required, mfa_token} (`required` application, no factor yet:
 *                        enrol and confirm with that token, show the recovery codes, log in again)
 */
(function (root) {
  async function post(baseUrl, path, body, token) {
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(baseUrl + path, { method: 'POST', headers, body: JSON.stringify(body) });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const error = new Error(data.message || `HTTP ${res.status}`);
      error.status = res.status;
      error.code = data.error;
      throw error;
    }
    return data;
  }

  /**
   * Resolves with the normal login answer ({token, refresh_token, expires_in, ...}).
   * - askCode(): a promise of the 6-digit code (or a recovery code) the user types;
   * - enrol({secret, otpauth_uri, qr_svg}): shows the QR code (or the secret) and resolves with
   *   the first code the authenticator app shows;
   * - showRecoveryCodes(codes): shows the ten one-time codes, once;
   * - onWrongCode(error): optional, told of each refused code (a 429 after too many ends it).
   */
  async function jawthLogIn(options) {
    const { baseUrl = '', app, username, password } = options;
    const path = (...parts) => `/${parts.map(encodeURIComponent).join('/')}`;
    let answer = await post(baseUrl, path(app, 'login'), { username, password });

    if (answer.mfa_enrolment_required) {
      const enrolToken = answer.mfa_token;
      const enrolment = await post(baseUrl, path(app, username, 'mfa', 'enrol'), {}, enrolToken);
      const firstCode = await options.enrol(enrolment);
      const confirmed = await post(baseUrl, path(app, username, 'mfa', 'confirm'), { code: firstCode }, enrolToken);
      await options.showRecoveryCodes(confirmed.recovery_codes);
      // The enrolment token only enrols: the login starts again, now asking for a code.
      answer = await post(baseUrl, path(app, 'login'), { username, password });
    }

    if (!answer.mfa_required) return answer;
    for (;;) {
      const code = await options.askCode();
      try {
        return await post(baseUrl, path(app, 'login', 'mfa'), { mfa_token: answer.mfa_token, code });
      } catch (error) {
        // invalid_code: typed wrong, or already used; the mfa_token stays good for 5 minutes.
        if (error.code !== 'invalid_code') throw error;
        if (options.onWrongCode) options.onWrongCode(error);
      }
    }
  }

  if (typeof module === 'object' && module.exports) module.exports = { jawthLogIn };
  else root.jawthLogIn = jawthLogIn;
})(this);
