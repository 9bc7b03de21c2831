import type { SessionRecord } from '../db/session.repository';
import { errorChain } from '../errors';
import type { Deps } from './deps';

/**
 * How long an answer waits for a session's last-use write. The write is bookkeeping (the
 * sessions list shows it): a disk that is full, read-only or locked must not fail the access
 * token that caused it, nor hold it for the busy timeout.
 */
const WAIT_MS = 250;
/** Writes still running after their answer was sent; past this many, a last use is not written. */
const MAX_PENDING = 16;

const pending = new Set<number>();

/** The driver's code of a failed write (SQLITE_FULL, 53100, …), else the error's name. */
function reasonOf(error: unknown): string {
  const code = errorChain(error).find((link) => typeof link.code === 'string')?.code as string | undefined;
  return code ?? (error instanceof Error ? error.name : 'unknown');
}

/**
 * Records that a session was used, best-effort: a failure is a logged warning, never the
 * request's error; a write slower than WAIT_MS finishes after the answer. One write per session
 * at a time, and a bounded number in all, so that a lock held elsewhere piles nothing up.
 */
export async function recordLastUse(session: SessionRecord, deps: Pick<Deps, 'sessions' | 'clock' | 'logger'>) {
  if (pending.has(session.id) || pending.size >= MAX_PENDING) return;
  pending.add(session.id);
  const write = deps.sessions
    .touch(session, deps.clock.now())
    .catch((error: unknown) => {
      deps.logger.warn({ err: error, session: session.id }, `last use of a session not recorded (${reasonOf(error)})`);
    })
    .finally(() => pending.delete(session.id));
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, WAIT_MS)));
  await Promise.race([write, waited]);
  clearTimeout(timer);
}
