import net from 'node:net';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { BackgroundTasks } from '../../src/infra/background';
import { createMailer } from '../../src/infra/smtp-mailer';
import { captureStream } from '../helpers/capture';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, uniqueName } from '../helpers/factories';

// An SMTP server that accepts connections and never greets: each mail gives up within the
// configured timeouts, and only so many are in flight at once.
let ctx: TestContext;
let silent: SilentServer;
const logs = captureStream();
const LONG = { connectionTimeout: 60_000, greetingTimeout: 60_000, socketTimeout: 60_000 };

interface SilentServer {
  url: string;
  open: Set<net.Socket>;
  /** The most connections open at once since the last reset. */
  most(): number;
  resetMost(): void;
  close(): Promise<void>;
}

async function startSilent(): Promise<SilentServer> {
  const open = new Set<net.Socket>();
  let most = 0;
  const server = net.createServer((socket) => {
    open.add(socket);
    most = Math.max(most, open.size);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `smtp://mailer:pass@127.0.0.1:${port}`,
    open,
    most: () => most,
    resetMost: () => {
      most = open.size;
    },
    close: () => {
      for (const socket of open) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const until = async (condition: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
};

beforeAll(async () => {
  silent = await startSilent();
  ctx = await createTestContext(
    { smtpUrl: silent.url, loginMaxFailuresPerIp: 1_000_000 },
    { logger: pino({ level: 'debug' }, logs.stream) },
  );
});
afterAll(async () => {
  await ctx.close();
  await silent.close();
});

describe('a recovery mail to an SMTP server that never greets', () => {
  it('is given up within the greeting timeout (5 s), not nodemailer’s 30 s', async () => {
    const background = new BackgroundTasks(pino({ level: 'silent' }));
    const app = createApp({ ...ctx.deps, background });
    const { name } = await createApplication(app, { recovery: 'on', public_url: 'https://shop.example.com/r' });
    const user = await createUser(app, name, { email: `${uniqueName('s')}@example.com` });
    const started = Date.now();

    const res = await request(app).post(`/${name}/recover`).send({ username: user.username });
    await background.idle();

    expect(res.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(logs.text()).toContain('account mail not sent');
  }, 60_000);
});

describe('the mailer', () => {
  it('gives a send up at its overall deadline, whatever stage it hangs in', async () => {
    const mailer = createMailer(silent.url, { timeouts: LONG, deadlineMs: 300 });
    const started = Date.now();

    await expect(mailer.send({ to: 'a@example.com', subject: 's', text: 't' })).rejects.toMatchObject({
      code: 'ETIMEDOUT',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('holds at most maxInFlight mails in flight; the others wait their turn and are sent after', async () => {
    for (const socket of silent.open) socket.destroy();
    await until(() => silent.open.size === 0);
    const mailer = createMailer(silent.url, { timeouts: LONG, deadlineMs: 60_000, maxInFlight: 2 });
    silent.resetMost();
    const settled: unknown[] = [];

    const sends = Array.from({ length: 6 }, (_, i) =>
      mailer.send({ to: `m${i}@example.com`, subject: 's', text: 't' }).catch((error: unknown) => {
        settled.push(error);
      }),
    );
    await until(() => silent.open.size === 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(silent.open.size).toBe(2);
    // Each connection the server drops ends one mail (refused) and lets one waiting mail in.
    while (settled.length < 6) {
      for (const socket of silent.open) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await Promise.all(sends);

    expect(silent.most()).toBe(2);
    expect(settled).toHaveLength(6);
  });
});
