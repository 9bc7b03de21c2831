import type { Deps } from '../services/deps';
import { runDeliveries, type DeliveryOptions } from '../services/webhook-delivery.service';
import { onEnqueue } from '../services/webhook-events.service';

const POLL_MS = 1000;

export interface WebhookWorker {
  /** Stops polling and cuts the attempts in flight (their deliveries are given back untried). */
  stop(): Promise<void>;
}

/**
 * The delivery worker of this process: a run every second (deliveries other processes queued,
 * retries coming due, leases of killed workers lapsing) and one at once after an enqueue here.
 * Runs never overlap; a nudge during a run starts another right after it.
 */
export function startWebhookWorker(
  deps: Pick<Deps, 'db' | 'audit' | 'clock' | 'config' | 'logger' | 'deliveries' | 'webhooks'>,
  options: Omit<DeliveryOptions, 'signal'> & { pollMs?: number } = {},
): WebhookWorker {
  const stopping = new AbortController();
  let running: Promise<void> | undefined;
  let again = false;
  const run = () => {
    if (stopping.signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    running = runDeliveries(deps, { ...options, signal: stopping.signal })
      .then(() => undefined)
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'webhook deliveries failed to run'))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const timer = setInterval(run, options.pollMs ?? POLL_MS);
  timer.unref();
  const unsubscribe = onEnqueue(deps.db, run);
  run();
  return {
    async stop() {
      stopping.abort();
      clearInterval(timer);
      unsubscribe();
      await running;
    },
  };
}
