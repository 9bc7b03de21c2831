import type { Migration } from './migration';
import * as initial from './0001-initial';
import * as adminAccounts from './0002-admin-accounts';
import * as auditLog from './0003-audit-log';
import * as usersPagingIndex from './0004-users-paging-index';
import * as adminRequestJtis from './0005-admin-request-jtis';
import * as sessionDetails from './0006-session-details';
import * as adminSetupTokens from './0007-admin-setup-tokens';
import * as secondFactor from './0008-second-factor';
import * as applicationKeys from './0009-application-keys';
import * as webhooks from './0010-webhooks';
import * as signupRecovery from './0011-signup-recovery';
import * as factorLockout from './0012-factor-lockout';
import * as webhookOutages from './0015-webhook-outages';
import * as mailOutbox from './0016-mail-outbox';
import * as sealedApplicationSecrets from './0017-sealed-application-secrets';
import * as oneUseTokens from './0018-one-use-tokens';

export type { Migration, MigrationContext } from './migration';

/** Every migration, in order. Listed rather than globbed: the names do not change between ts and js. */
export const migrations: Migration[] = [
  { name: '0001-initial', ...initial },
  { name: '0002-admin-accounts', ...adminAccounts },
  { name: '0003-audit-log', ...auditLog },
  { name: '0004-users-paging-index', ...usersPagingIndex },
  { name: '0005-admin-request-jtis', ...adminRequestJtis },
  { name: '0006-session-details', ...sessionDetails },
  { name: '0007-admin-setup-tokens', ...adminSetupTokens },
  { name: '0008-second-factor', ...secondFactor },
  { name: '0009-application-keys', ...applicationKeys },
  { name: '0010-webhooks', ...webhooks },
  { name: '0011-signup-recovery', ...signupRecovery },
  { name: '0012-factor-lockout', ...factorLockout },
  { name: '0015-webhook-outages', ...webhookOutages },
  { name: '0016-mail-outbox', ...mailOutbox },
  { name: '0017-sealed-application-secrets', ...sealedApplicationSecrets },
  { name: '0018-one-use-tokens', ...oneUseTokens },
];
