import pino from 'pino';
import { QueryTypes } from 'sequelize';
import { Webhook } from 'standardwebhooks';
import { startWebhookWorker } from '../../src/workers/webhook.worker';
import { runDeliveries } from '../../src/services/webhook-delivery.service';
import { captureStream } from '../helpers/capture';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser } from '../helpers/factories';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';

// Delivering webhooks to a real receiver: signatures, retries with backoff, giving up, order per
// endpoint, leases that lapse, and claims that never overlap.
let ctx: TestContext;
let receiver: Receiver;
const logs = captureStream();
beforeAll(async () => {
  ctx = await createTestContext(
    { webhookAllowPrivate: true, webhookRetryBase: 5 },
    { logger: pino({ level: 'debug' }, logs.stream) },
  );
});
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  // Each test counts its own attempts: no delivery of an earlier one comes due in it.
  await ctx.db.query('DELETE FROM webhooks');
});
afterAll(async () => ctx.close());

type Attempt = { at: string; status_code: number | null; error: string | null; duration_ms: number };
type Delivery = { id: string; type: string; status: string; next_attempt_at: string | null; attempts: Attempt[] };

async function hookedApp(events = ['user.created', 'user.updated', 'user.deleted'], url = receiver.url) {
  const app = await createApplication(ctx.app);
  const res = await admin(ctx.app, 'post', `/applications/${app.name}/webhooks`, { url, events });
  expect(res.status).toBe(201);
  return { app, hook: res.body as { id: string; secret: string } };
}

async function deliveries(appName: string, hookId: string): Promise<Delivery[]> {
  const res = await admin(ctx.app, 'get', `/applications/${appName}/webhooks/${hookId}/deliveries`);
  expect(res.status).toBe(200);
  return res.body as Delivery[];
}

/** Moves the test clock to when the delivery's next attempt is due. */
function advanceTo(delivery: Delivery): void {
  const wait = new Date(delivery.next_attempt_at as string).getTime() - ctx.clock.now().getTime();
  ctx.clock.advance(wait / 1000);
}

describe('delivering', () => {
  it('POSTs {type, timestamp, data} signed the Standard Webhooks way: standardwebhooks verifies it', async () => {
    const { app, hook } = await hookedApp(['user.created']);
    const user = await createUser(ctx.app, app.name);

    expect(await runDeliveries(ctx.deps)).toBe(1);

    expect(receiver.received).toHaveLength(1);
    const { headers, body } = receiver.received[0];
    const verified = new Webhook(hook.secret).verify(body, headers as Record<string, string>);
    expect(verified).toEqual({
      type: 'user.created',
      timestamp: expect.any(String),
      data: { app: app.name, uid: user.uid, username: user.username, role: 'user' },
    });
    expect(headers['content-type']).toBe('application/json');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const [delivery] = await deliveries(app.name, hook.id);
    expect(headers['webhook-id']).toBe(delivery.id);
    expect(Number(headers['webhook-timestamp'])).toBe(Math.floor(ctx.clock.now().getTime() / 1000));
    expect(delivery).toMatchObject({
      status: 'delivered',
      next_attempt_at: null,
      attempts: [{ status_code: 200, error: null }],
    });
    // A signature under another secret, or over another body, does not verify.
    const forged = { ...headers, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` };
    expect(() => new Webhook(hook.secret).verify(body, forged as unknown as Record<string, string>)).toThrow();
    expect(() =>
      new Webhook(hook.secret).verify(body.replace('user', 'usr'), headers as Record<string, string>),
    ).toThrow();
    expect(logs.text()).not.toContain(hook.secret.slice('whsec_'.length));
  });

  it('retries after a 500 once WEBHOOK_RETRY_BASE has passed, then after twice as long, with the same id and body', async () => {
    const { app, hook } = await hookedApp(['user.created']);
    receiver.answer(500, 503);
    await createUser(ctx.app, app.name);

    expect(await runDeliveries(ctx.deps)).toBe(1);
    let [delivery] = await deliveries(app.name, hook.id);
    const first = new Date(delivery.attempts[0].at).getTime();
    expect(delivery).toMatchObject({ status: 'pending', attempts: [{ status_code: 500 }] });
    expect(new Date(delivery.next_attempt_at as string).getTime() - first).toBe(5000);
    expect(await runDeliveries(ctx.deps)).toBe(0); // not due yet
    ctx.clock.advance(4);
    expect(await runDeliveries(ctx.deps)).toBe(0);

    ctx.clock.advance(1);
    expect(await runDeliveries(ctx.deps)).toBe(1);
    [delivery] = await deliveries(app.name, hook.id);
    expect(delivery.attempts.map((a) => a.status_code)).toEqual([500, 503]);
    const second = new Date(delivery.attempts[1].at).getTime();
    expect(new Date(delivery.next_attempt_at as string).getTime() - second).toBe(10_000);

    advanceTo(delivery);
    expect(await runDeliveries(ctx.deps)).toBe(1);
    [delivery] = await deliveries(app.name, hook.id);
    expect(delivery).toMatchObject({ status: 'delivered', next_attempt_at: null });
    expect(delivery.attempts.map((a) => a.status_code)).toEqual([500, 503, 200]);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery.id]));
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
  });

  it('counts a receiver that does not answer in time as a failed attempt, and retries it', async () => {
    const { app, hook } = await hookedApp(['user.created']);
    receiver.answer('hang');
    await createUser(ctx.app, app.name);

    expect(await runDeliveries(ctx.deps, { timeoutMs: 300 })).toBe(1);
    let [delivery] = await deliveries(app.name, hook.id);
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: [{ status_code: null, error: expect.stringMatching(/timed out/) }],
    });

    advanceTo(delivery);
    expect(await runDeliveries(ctx.deps, { timeoutMs: 5000 })).toBe(1);
    [delivery] = await deliveries(app.name, hook.id);
    expect(delivery.status).toBe('delivered');
    expect(receiver.received).toHaveLength(2);
  });

  it('gives up 24 hours after the event: failed, after 15 attempts at 5s × 2^n', async () => {
    const { app, hook } = await hookedApp(['user.created']);
    await createUser(ctx.app, app.name);
    const receiverFails = startReceiver(500);
    const failing = await receiverFails;
    await admin(ctx.app, 'patch', `/applications/${app.name}/webhooks/${hook.id}`, { url: failing.url });
    try {
      let [delivery] = await deliveries(app.name, hook.id);
      for (let i = 0; i < 20 && delivery.status === 'pending'; i += 1) {
        advanceTo(delivery);
        await runDeliveries(ctx.deps);
        [delivery] = await deliveries(app.name, hook.id);
      }
      expect(delivery).toMatchObject({ status: 'failed', next_attempt_at: null, finished_at: expect.any(String) });
      expect(delivery.attempts).toHaveLength(15);
      expect(failing.received).toHaveLength(15);
      const times = delivery.attempts.map((a) => new Date(a.at).getTime());
      const waits = times.slice(1).map((t, i) => (t - times[i]) / 1000);
      expect(waits).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 40960]);
      ctx.clock.advance(7 * 86400);
      expect(await runDeliveries(ctx.deps)).toBe(0);
    } finally {
      await failing.close();
    }
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    const other = await startReceiver();
    try {
      const { app, hook } = await hookedApp(['user.created']);
      receiver.answer({ status: 302, headers: { location: other.url } });
      await createUser(ctx.app, app.name);

      await runDeliveries(ctx.deps);

      const [delivery] = await deliveries(app.name, hook.id);
      expect(delivery).toMatchObject({ status: 'pending', attempts: [{ status_code: 302 }] });
      expect(other.received).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('refuses at delivery a URL that now reaches a private address (checked on the address connected to)', async () => {
    const { app, hook } = await hookedApp(['user.created']);
    const named = await hookedApp(['user.created'], receiver.url.replace('127.0.0.1', 'localhost'));
    await createUser(ctx.app, app.name);
    await createUser(ctx.app, named.app.name);
    ctx.config.webhookAllowPrivate = false;
    try {
      expect(await runDeliveries(ctx.deps)).toBe(2);
    } finally {
      ctx.config.webhookAllowPrivate = true;
    }
    expect(receiver.received).toEqual([]);
    for (const [appName, id] of [
      [app.name, hook.id],
      [named.app.name, named.hook.id],
    ]) {
      const [delivery] = await deliveries(appName, id);
      expect(delivery).toMatchObject({
        status: 'pending',
        attempts: [{ status_code: null, error: expect.stringMatching(/private or loopback/) }],
      });
    }
  });
});

describe('one endpoint, one delivery at a time, in order', () => {
  it("keeps a user's events in order: while the first is retried, the next ones wait", async () => {
    const { app, hook } = await hookedApp();
    receiver.answer(500);
    const user = await createUser(ctx.app, app.name);
    await admin(ctx.app, 'patch', `/${app.name}/users/${user.username}`, { role: 'editor' });
    await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}`);

    expect(await runDeliveries(ctx.deps)).toBe(1);
    expect(receiver.types()).toEqual(['user.created']);
    const waiting = await deliveries(app.name, hook.id);
    expect(waiting.map((d) => [d.type, d.status, d.attempts.length])).toEqual([
      ['user.deleted', 'pending', 0],
      ['user.updated', 'pending', 0],
      ['user.created', 'pending', 1],
    ]);

    advanceTo(waiting[2]);
    expect(await runDeliveries(ctx.deps)).toBe(3);
    expect(receiver.types()).toEqual(['user.created', 'user.created', 'user.updated', 'user.deleted']);
    expect((await deliveries(app.name, hook.id)).map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('a delivery claimed by a worker that died is delivered by another once its lease lapses', async () => {
    const { app, hook } = await hookedApp(['user.created']);
    await createUser(ctx.app, app.name);
    const now = ctx.clock.now();
    const dead = await ctx.deps.deliveries.claim(now, new Date(now.getTime() + 60_000), 'killed-worker');
    expect(dead).not.toBeNull();

    expect(await runDeliveries(ctx.deps)).toBe(0);
    expect(receiver.received).toEqual([]);
    ctx.clock.advance(60);

    expect(await runDeliveries(ctx.deps)).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const [delivery] = await deliveries(app.name, hook.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: [{ status_code: 200 }] });
    const rows = await ctx.db.query<{ lease_owner: string | null }>(
      'SELECT lease_owner FROM webhook_deliveries WHERE message_id = $1',
      { bind: [delivery.id], type: QueryTypes.SELECT },
    );
    expect(rows).toEqual([{ lease_owner: null }]);
  });

  it('50 concurrent claimers claim each due delivery exactly once, and only the head of each endpoint', async () => {
    const apps = [];
    for (let i = 0; i < 12; i += 1) apps.push(await hookedApp(['user.created']));
    for (const { app } of apps) {
      await createUser(ctx.app, app.name);
      await createUser(ctx.app, app.name); // second in its endpoint's queue: not claimable yet
    }
    ctx.clock.advance(1);
    const now = ctx.clock.now();

    const claims = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        ctx.deps.deliveries.claim(now, new Date(now.getTime() + 60_000), `claimer-${i}`),
      ),
    );

    const won = claims.filter((claim) => claim !== null);
    const ours = new Set(apps.map(({ hook }) => hook.id));
    const byEndpoint = won.filter((claim) => ours.has(claim.webhookId)).map((claim) => claim.webhookId);
    expect(byEndpoint.sort()).toEqual([...ours].sort());
    expect(new Set(won.map((claim) => claim.id)).size).toBe(won.length);
    const owners = await ctx.db.query<{ lease_owner: string }>(
      'SELECT lease_owner FROM webhook_deliveries WHERE lease_owner IS NOT NULL',
      { type: QueryTypes.SELECT },
    );
    expect(owners.map((o) => o.lease_owner).sort()).toEqual(won.map((claim) => claim.leaseOwner).sort());
    ctx.clock.advance(61); // the leases lapse: the rest of this file delivers them
    await runDeliveries(ctx.deps);
  });
});

describe('clean-up', () => {
  it('purges finished deliveries older than the cutoff with their attempts, never a pending one', async () => {
    const { app, hook } = await hookedApp(['user.created', 'user.deleted']);
    receiver.answer(200, 500);
    const user = await createUser(ctx.app, app.name);
    await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}`);
    await runDeliveries(ctx.deps); // created: delivered; deleted: pending after a 500
    ctx.clock.advance(3600);

    const purged = await ctx.deps.deliveries.purgeFinished(ctx.clock.now());

    expect(purged).toBe(1);
    const left = await deliveries(app.name, hook.id);
    expect(left.map((d) => [d.type, d.status])).toEqual([['user.deleted', 'pending']]);
    const attempts = await ctx.db.query('SELECT delivery_id FROM webhook_attempts', { type: QueryTypes.SELECT });
    expect(attempts).toHaveLength(1);
  });
});

describe('the worker a server starts', () => {
  it('delivers at once after an enqueue, and stops without waiting for a receiver that hangs', async () => {
    const worker = startWebhookWorker(ctx.deps, { pollMs: 50 });
    let stopped = false;
    try {
      const { app, hook } = await hookedApp(['user.created', 'user.deleted']);
      const user = await createUser(ctx.app, app.name);
      await receiver.waitFor(1);
      expect(receiver.types()).toEqual(['user.created']);

      receiver.answer('hang');
      await admin(ctx.app, 'delete', `/${app.name}/users/${user.username}`);
      await receiver.waitFor(2);
      await worker.stop();
      stopped = true;

      const [pending, delivered] = await deliveries(app.name, hook.id);
      expect(delivered).toMatchObject({ type: 'user.created', status: 'delivered' });
      // Cut short by the stop: given back untried, for the next worker at once.
      expect(pending).toMatchObject({ type: 'user.deleted', status: 'pending', attempts: [] });
      const rows = await ctx.db.query<{ lease_owner: string | null }>(
        'SELECT lease_owner FROM webhook_deliveries WHERE message_id = $1',
        { bind: [pending.id], type: QueryTypes.SELECT },
      );
      expect(rows).toEqual([{ lease_owner: null }]);
      expect(await runDeliveries(ctx.deps)).toBe(1);
      expect(receiver.types()).toEqual(['user.created', 'user.deleted', 'user.deleted']);
    } finally {
      if (!stopped) await worker.stop();
    }
  });
});
