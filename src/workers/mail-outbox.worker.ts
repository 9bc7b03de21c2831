import type { Deps } from '../services/deps';
import { runMailOutbox } from '../services/mail.service';

/** A sender that polls the outbox every `pollMs` (retries coming due, mails queued by other processes). */
export function startMailOutbox(
  deps: Pick<Deps, 'clock' | 'config' | 'logger' | 'mailOutbox'>,
  pollMs = 5000,
): { stop(): Promise<void> } {
  const stopping = new AbortController();
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= runMailOutbox(deps, stopping.signal)
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'mail outbox failed to run'))
      .finally(() => (running = undefined));
  }, pollMs);
  timer.unref();
  return {
    async stop() {
      stopping.abort();
      clearInterval(timer);
      await running;
    },
  };
}
