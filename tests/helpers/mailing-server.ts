import type { Express } from 'express';
import { createApp } from '../../src/app';
import type { Config } from '../../src/config/config';
import { BackgroundTasks } from '../../src/infra/background';
import { createTestContext, type TestContext } from './context';
import { startSmtp, type TestSmtp } from './smtp';

/**
 * A jawth that mails through a real SMTP server, for the sign-up and recovery tests: `start` in
 * beforeAll, `stop` in afterAll. The work done after an answer (the mails) runs in `background`;
 * `stop` waits for it, and a failure there fails the file.
 */
export function mailingServer() {
  const failedTasks: unknown[] = [];
  const background = new BackgroundTasks({ error: (...args: unknown[]) => void failedTasks.push(args) } as never);
  let started: { ctx: TestContext; smtp: TestSmtp; app: Express } | undefined;
  return {
    background,
    async start(overrides: Partial<Config> = {}) {
      const smtp = await startSmtp();
      const ctx = await createTestContext({ smtpUrl: smtp.url, loginMaxFailuresPerIp: 1_000_000, ...overrides });
      started = { ctx, smtp, app: createApp({ ...ctx.deps, background }) };
      return started;
    },
    async stop() {
      await background.idle();
      expect(failedTasks).toEqual([]);
      await started?.ctx.close();
      await started?.smtp.close();
    },
  };
}
