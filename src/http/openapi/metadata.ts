import type { Route } from '../route';

/** The credentials the routes take (docs/api.md, Authenticating admin requests). */
export const SECURITY_SCHEMES = {
  signedRequest: {
    type: 'apiKey',
    in: 'header',
    name: 'auth',
    description:
      '`jwt <token>`: HS256 signed with SECRET_KEY, payload {password, data, iat, exp} and optionally ' +
      'htm (method), htu (path with query, or absolute URL of this server) and jti (one use)',
  },
  adminSession: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A console session token, from POST /admin/login',
  },
  appKey: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: "`AppKey <key>`: an application key, on its application's user routes within its scopes",
  },
  userToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "A user's access token from their latest login (or, to enrol a second factor, the enrolment " +
      'token of a login that requires one)',
  },
} as const;

/** The tag of every route, described once. */
export const TAGS: { name: Route['tag']; description: string }[] = [
  { name: 'public', description: "What an application's users call: log in, tokens, sign-up, recovery" },
  { name: 'admin', description: 'Admin accounts: console login and sessions, second factor, first run' },
  { name: 'applications', description: 'Applications, their keys and their webhooks' },
  { name: 'users', description: 'Users of the applications, their sessions and second factors' },
  { name: 'groups', description: 'Groups of an application, and orgs across applications' },
  { name: 'audit', description: 'The audit log and its numbers' },
  { name: 'operations', description: 'Health, readiness, metrics and this document' },
];
