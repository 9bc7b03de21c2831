import type { Logger } from 'pino';

/**
 * Work done after an answer was sent (a recovery mail, so that `/recover` answers alike and as
 * fast for a known and an unknown user). A failure is logged, never thrown; `idle()` resolves
 * once everything started has settled (tests, a graceful stop).
 */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly logger: Pick<Logger, 'error'>) {}

  run(name: string, work: () => Promise<void>): void {
    const task: Promise<void> = Promise.resolve()
      .then(work)
      .catch((error: unknown) => this.logger.error({ err: error, task: name }, 'background task failed'))
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
