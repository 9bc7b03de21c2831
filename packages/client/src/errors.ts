/** A refusal from jawth: the HTTP status and the API's error code (`invalid_token`, ...). */
export class JawthClientError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'JawthClientError';
  }
}

/**
 * The refresh token is missing, expired, revoked or reused: nothing the client can do on its
 * own; the user must log in again. `hasToLogin` matches quidjs's `QuidError` for callers
 * switching from it.
 */
export class LoginRequiredError extends JawthClientError {
  readonly hasToLogin = true;

  constructor(message: string, status: number, code: string) {
    super(message, status, code);
    this.name = 'LoginRequiredError';
  }
}

/**
 * The password was right and the application asks for a second factor: `mfaToken` completes the
 * login with a code (`client.loginWithCode`), or, when `enrolment` is set (a `required`
 * application, no factor yet), authorises `POST /:app/:username/mfa/enrol` and `/confirm` only.
 */
export class SecondFactorRequiredError extends JawthClientError {
  constructor(
    message: string,
    readonly mfaToken: string,
    readonly enrolment: boolean,
  ) {
    super(message, 200, enrolment ? 'mfa_enrolment_required' : 'mfa_required');
    this.name = 'SecondFactorRequiredError';
  }
}
