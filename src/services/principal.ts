import type { AppKeyHolder } from './application-key.service';

/** A console session's admin account, as the session check loaded it. */
export interface ConsoleAccount {
  id: number;
  username: string;
}

/**
 * Who calls an admin route (docs/api.md, Authenticating admin requests), established once by the
 * credential check: an admin account's console session, a request signed with the master key
 * (JAWTH_KEY), or an application's key with its application and scopes.
 */
export type Principal =
  { kind: 'console'; account: ConsoleAccount } | { kind: 'master' } | { kind: 'appKey'; key: AppKeyHolder };

/** The audit log's actor of an admin account, signed in or trying to. */
export function consoleActor(username: string): string {
  return `admin:${username}`;
}

/**
 * The audit log's actor text, derived only here: `admin:<username>`, `signed_request`, or
 * `appkey:<id>:<label>` (a key's id and label); `anonymous` before any credential was accepted.
 */
export function actorOf(principal: Principal | undefined): string {
  switch (principal?.kind) {
    case 'console':
      return consoleActor(principal.account.username);
    case 'master':
      return 'signed_request';
    case 'appKey':
      return `appkey:${principal.key.id}:${principal.key.label}`;
    default:
      return 'anonymous';
  }
}
