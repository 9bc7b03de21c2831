import type { z } from 'zod';
import { assertThat } from '../errors';
import type { Application } from '../db/application.repository';
import type { User } from '../db/user.repository';
import { inTransaction } from '../db/transaction';
import type { sessionSchema } from '../schemas/responses.schema';
import type { Deps } from './deps';
import { userData } from './user.service';
import { enqueueEvent } from './webhook-events.service';

/** The user's live sessions (docs/api.md, Users and Sessions), one per refresh family (a login or a `/token/refresh`), newest first. */
export async function listSessions(
  user: User,
  deps: Pick<Deps, 'sessions' | 'clock'>,
): Promise<z.infer<typeof sessionSchema>[]> {
  const families = await deps.sessions.families(user.id, deps.clock.now());
  return families.map((family) => ({
    id: family.id,
    created_at: family.createdAt.toISOString(),
    last_used_at: family.lastUsedAt.toISOString(),
    expires_at: family.expiresAt.toISOString(),
    ip: family.ip,
    user_agent: family.userAgent,
  }));
}

/** Ends one session (refresh family) of the user at once; the user's other sessions go on. */
export async function revokeSession(
  user: User,
  app: Pick<Application, 'id' | 'name'>,
  id: string,
  deps: Pick<Deps, 'db' | 'sessions' | 'clock' | 'config' | 'deliveries' | 'webhooks'>,
): Promise<void> {
  const live = await deps.sessions.families(user.id, deps.clock.now());
  assertThat(
    live.some((family) => family.id === id),
    'session_not_found',
    `No live session "${id}" for user "${user.username}".`,
  );
  await inTransaction(deps.db, async (transaction) => {
    await deps.sessions.revokeOfUser(user.id, deps.clock.now(), { familyId: id, transaction });
    await enqueueEvent(deps, transaction, app, 'session.revoked', { ...userData(user), session: id });
  });
}

/** Deletes sessions that can no longer be used: expired, or revoked more than an hour ago. */
export async function purgeSessions(now: Date, deps: Pick<Deps, 'sessions'>): Promise<number> {
  return deps.sessions.purgeFinished(now, new Date(now.getTime() - 3600_000));
}
