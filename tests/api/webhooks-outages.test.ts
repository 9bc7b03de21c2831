import { QueryTypes } from 'sequelize';
import { runDeliveries } from '../../src/services/webhook-delivery.service';
import request from 'supertest';
import { admin, adminToken, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, uniqueName } from '../helpers/factories';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';

// A receiver that refuses, rate-limits, is gone, or fails for hours: one event must not hold
// back the others, and an admin can retry, skip and replay deliveries.
let ctx: TestContext;
let receiver: Receiver;
const DISABLE_AFTER = 7200;
beforeAll(async () => {
  ctx = await createTestContext({ webhookAllowPrivate: true, webhookRetryBase: 5, webhookDisableAfter: DISABLE_AFTER });
});
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  await ctx.db.query('DELETE FROM webhooks');
});
afterAll(async () => ctx.close());

type Attempt = { at: string; status_code: number | null };
type Delivery = { id: string; type: string; status: string; next_attempt_at: string | null; attempts: Attempt[] };
const EVENTS = ['user.created', 'user.updated', 'user.deleted'];

async function hookedApp(events = EVENTS, url = receiver.url) {
  const app = await createApplication(ctx.app);
  const res = await admin(ctx.app, 'post', `/applications/${app.name}/webhooks`, { url, events });
  expect(res.status).toBe(201);
  return { app: app.name, hook: res.body.id as string };
}

/** Oldest first. */
async function deliveries(app: string, hook: string): Promise<Delivery[]> {
  const res = await admin(ctx.app, 'get', `/applications/${app}/webhooks/${hook}/deliveries`);
  expect(res.status).toBe(200);
  return (res.body as Delivery[]).reverse();
}

const endpoint = async (app: string, hook: string) =>
  (await admin(ctx.app, 'get', `/applications/${app}/webhooks/${hook}`)).body as {
    disabled: boolean;
    disabled_reason: string | null;
  };

function advanceTo(delivery: Delivery): void {
  ctx.clock.advance((new Date(delivery.next_attempt_at as string).getTime() - ctx.clock.now().getTime()) / 1000);
}

/** Three events for one user: created, updated, deleted, in that order. */
async function threeEvents(app: string) {
  const user = await createUser(ctx.app, app);
  await admin(ctx.app, 'patch', `/${app}/users/${user.username}`, { role: 'editor' });
  await admin(ctx.app, 'delete', `/${app}/users/${user.username}`);
}

const queueAction = (app: string, hook: string, delivery: string, action: string) =>
  admin(ctx.app, 'post', `/applications/${app}/webhooks/${hook}/deliveries/${delivery}/${action}`);

describe('an event the receiver refuses', () => {
  it.each([400, 401, 403, 404, 422])('for good (%i) fails at once, and the events after it go out', async (status) => {
    const { app, hook } = await hookedApp();
    receiver.answer(status);
    await threeEvents(app);

    expect(await runDeliveries(ctx.deps)).toBe(3);

    expect(receiver.types()).toEqual(EVENTS);
    const [created, updated, deleted] = await deliveries(app, hook);
    expect(created).toMatchObject({ status: 'failed', next_attempt_at: null, attempts: [{ status_code: status }] });
    expect([updated.status, deleted.status]).toEqual(['delivered', 'delivered']);
    ctx.clock.advance(86400);
    expect(await runDeliveries(ctx.deps)).toBe(0);
  });

  it.each([408, 429, 500, 503])(
    'for now (%i) is retried, holding the queue for 3 attempts, then set aside',
    async (status) => {
      const { app, hook } = await hookedApp();
      receiver.answer(status, status, status);
      await threeEvents(app);

      expect(await runDeliveries(ctx.deps)).toBe(1);
      for (const attempt of [2, 3]) {
        const [head] = await deliveries(app, hook);
        advanceTo(head);
        expect(await runDeliveries(ctx.deps)).toBe(attempt === 3 ? 3 : 1);
      }

      // Three attempts in line, then the queue went on without it.
      expect(receiver.types()).toEqual([
        'user.created',
        'user.created',
        'user.created',
        'user.updated',
        'user.deleted',
      ]);
      const queue = await deliveries(app, hook);
      expect(queue.map((d) => d.status)).toEqual(['pending', 'delivered', 'delivered']);
      let [aside] = queue;
      // Set aside, it keeps its backoff: 20 s after its third attempt.
      const third = new Date(aside.attempts[2].at).getTime();
      expect(new Date(aside.next_attempt_at as string).getTime() - third).toBe(20_000);
      receiver.answer(status);
      advanceTo(aside);
      await runDeliveries(ctx.deps);
      advanceTo((await deliveries(app, hook))[0]);
      await runDeliveries(ctx.deps);
      [aside] = await deliveries(app, hook);
      expect(aside.status).toBe('delivered');
      expect(aside.attempts.map((a) => a.status_code)).toEqual([status, status, status, status, 200]);
    },
  );

  it('with Retry-After is retried no sooner than the receiver asked, in seconds or as a date', async () => {
    const { app, hook } = await hookedApp(['user.created']);
    receiver.answer(
      { status: 429, headers: { 'retry-after': '120' } },
      { status: 503, headers: { 'retry-after': new Date(Date.now() + 3600_000).toUTCString() } },
    );
    await createUser(ctx.app, app);

    await runDeliveries(ctx.deps);
    let [delivery] = await deliveries(app, hook);
    const first = new Date(delivery.attempts[0].at).getTime();
    expect(new Date(delivery.next_attempt_at as string).getTime() - first).toBe(120_000);
    ctx.clock.advance(119);
    expect(await runDeliveries(ctx.deps)).toBe(0);
    ctx.clock.advance(1);
    expect(await runDeliveries(ctx.deps)).toBe(1);

    [delivery] = await deliveries(app, hook);
    const second = new Date(delivery.attempts[1].at).getTime();
    const wait = new Date(delivery.next_attempt_at as string).getTime() - second;
    expect(wait).toBeGreaterThan(3590_000);
    expect(wait).toBeLessThanOrEqual(3600_000);
  });
});

describe('an endpoint that is gone', () => {
  it('answering 410 is disabled: nothing more is queued or sent, the other endpoints hear of it, and an admin turns it back on', async () => {
    const { app, hook } = await hookedApp(['user.created']);
    const watcher = await admin(ctx.app, 'post', `/applications/${app}/webhooks`, {
      url: receiver.url.replace('/hooks', '/watcher'),
      events: ['webhook.disabled'],
    });
    receiver.answer(410);
    await createUser(ctx.app, app);

    await runDeliveries(ctx.deps);

    expect(await endpoint(app, hook)).toMatchObject({
      disabled: true,
      disabled_reason: expect.stringContaining('410'),
    });
    const [gone] = await deliveries(app, hook);
    expect(gone).toMatchObject({ status: 'failed', attempts: [{ status_code: 410 }] });
    await createUser(ctx.app, app);
    expect(await deliveries(app, hook)).toHaveLength(1);
    const audit = await ctx.models.AuditEntry.findAll({ where: { app, action: 'application.webhook_disabled' } });
    expect(audit.map((entry) => entry.target)).toEqual([hook]);
    // The watcher is told, and receives it.
    const [told] = await deliveries(app, watcher.body.id as string);
    expect(told.type).toBe('webhook.disabled');
    await runDeliveries(ctx.deps);
    expect(receiver.types()).toEqual(['user.created', 'webhook.disabled']);
    expect(JSON.parse(receiver.received[1].body).data).toMatchObject({ webhook: hook });

    const enabled = await admin(ctx.app, 'patch', `/applications/${app}/webhooks/${hook}`, { disabled: false });
    expect(enabled.body).toMatchObject({ disabled: false, disabled_reason: null });
    await createUser(ctx.app, app);
    await runDeliveries(ctx.deps);
    expect(receiver.types()).toEqual(['user.created', 'webhook.disabled', 'user.created']);
  });

  it('failing every attempt for WEBHOOK_DISABLE_AFTER is disabled, and its pending deliveries wait for it', async () => {
    const failing = await startReceiver(500);
    try {
      const { app, hook } = await hookedApp(['user.created'], failing.url);
      await createUser(ctx.app, app);
      let [delivery] = await deliveries(app, hook);
      const queuedAt = ctx.clock.now().getTime();
      for (let i = 0; i < 20 && !(await endpoint(app, hook)).disabled; i += 1) {
        advanceTo(delivery);
        await runDeliveries(ctx.deps);
        [delivery] = await deliveries(app, hook);
      }

      const state = await endpoint(app, hook);
      expect(state).toMatchObject({ disabled: true, disabled_reason: expect.stringMatching(/failed since/) });
      const last = new Date(delivery.attempts[delivery.attempts.length - 1].at).getTime();
      expect(last - queuedAt).toBeGreaterThanOrEqual(DISABLE_AFTER * 1000);
      expect(delivery.status).toBe('pending');
      const tried = failing.received.length;
      advanceTo(delivery);
      expect(await runDeliveries(ctx.deps)).toBe(0);
      expect(failing.received).toHaveLength(tried);

      await admin(ctx.app, 'patch', `/applications/${app}/webhooks/${hook}`, { url: receiver.url, disabled: false });
      expect(await runDeliveries(ctx.deps)).toBe(1);
      expect((await deliveries(app, hook))[0].status).toBe('delivered');
    } finally {
      await failing.close();
    }
  });
});

describe('POST .../deliveries/:delivery/retry, /skip and /replay', () => {
  it('skip takes a failing head out of the queue: the events after it go out at once', async () => {
    const { app, hook } = await hookedApp();
    receiver.answer(500);
    await threeEvents(app);
    await runDeliveries(ctx.deps);
    const [head] = await deliveries(app, hook);

    const skipped = await queueAction(app, hook, head.id, 'skip');

    expect(skipped.status).toBe(200);
    expect(skipped.body).toMatchObject({ id: head.id, status: 'skipped', next_attempt_at: null });
    expect(await runDeliveries(ctx.deps)).toBe(2);
    expect(receiver.types()).toEqual(EVENTS);
    expect((await deliveries(app, hook)).map((d) => d.status)).toEqual(['skipped', 'delivered', 'delivered']);
    const audit = await ctx.models.AuditEntry.findAll({ where: { action: 'application.webhook_delivery_skip' } });
    expect(audit.length).toBeGreaterThan(0);
  });

  it('retry sends a failed or skipped delivery again now; replay sends a delivered one again, same webhook-id', async () => {
    const { app, hook } = await hookedApp(['user.created']);
    receiver.answer(404);
    await createUser(ctx.app, app);
    await runDeliveries(ctx.deps);
    const [refused] = await deliveries(app, hook);
    expect(refused.status).toBe('failed');

    const retried = await queueAction(app, hook, refused.id, 'retry');
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ status: 'pending', attempts: [{ status_code: 404 }] });
    expect(await runDeliveries(ctx.deps)).toBe(1);
    expect((await deliveries(app, hook))[0].status).toBe('delivered');

    const replayed = await queueAction(app, hook, refused.id, 'replay');
    expect(replayed.status).toBe(202);
    expect(await runDeliveries(ctx.deps)).toBe(1);
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([refused.id, refused.id, refused.id]);
    expect((await deliveries(app, hook))[0].attempts.map((a) => a.status_code)).toEqual([404, 200, 200]);
  });

  it('refuse what does not fit: 409 for the wrong state or an attempt in flight, 404 for an unknown delivery', async () => {
    const { app, hook } = await hookedApp(['user.created']);
    const other = await hookedApp(['user.created']);
    await createUser(ctx.app, app);
    const [pending] = await deliveries(app, hook);

    expect((await queueAction(app, hook, pending.id, 'replay')).status).toBe(409);
    expect((await queueAction(app, hook, 'msg_nothing', 'retry')).status).toBe(404);
    expect((await queueAction(other.app, other.hook, pending.id, 'skip')).status).toBe(404);
    const now = ctx.clock.now();
    const claim = await ctx.deps.deliveries.claim(now, new Date(now.getTime() + 60_000), 'in-flight');
    expect(claim?.messageId).toBe(pending.id);
    const busy = await queueAction(app, hook, pending.id, 'skip');
    expect(busy.status).toBe(409);
    expect(busy.body.message).toMatch(/in flight/);
    ctx.clock.advance(61);
    await runDeliveries(ctx.deps);
    expect((await queueAction(app, hook, pending.id, 'skip')).status).toBe(409);
    expect((await deliveries(app, hook))[0].status).toBe('delivered');
  });

  it('refuse an application key, a delivery named under another application, a replayed admin token and odd ids', async () => {
    const { app, hook } = await hookedApp(['user.created']);
    const other = await hookedApp(['user.created']);
    await createUser(ctx.app, app);
    const [pending] = await deliveries(app, hook);
    const path = (appName: string, delivery: string, action: string) =>
      `/applications/${appName}/webhooks/${hook}/deliveries/${delivery}/${action}`;
    const key = await admin(ctx.app, 'post', `/applications/${app}/keys`, {
      label: 'backend',
      scopes: ['users:read', 'users:write', 'mfa:reset'],
    });

    for (const action of ['retry', 'replay', 'skip']) {
      const byKey = await request(ctx.app)
        .post(path(app, pending.id, action))
        .set('Authorization', `AppKey ${key.body.key as string}`);
      expect(byKey.status).toBe(403);
      // The endpoint of one application, named under another: not found, nothing changed.
      expect((await admin(ctx.app, 'post', path(other.app, pending.id, action))).status).toBe(404);
      const tooLong = await admin(ctx.app, 'post', path(app, 'm'.repeat(65), action));
      expect(tooLong.status).toBe(400);
      const quoted = await admin(ctx.app, 'post', path(app, encodeURIComponent("msg_' OR '1'='1"), action));
      expect(quoted.status).toBe(404);
    }
    const once = adminToken({ method: 'POST', path: path(app, pending.id, 'skip'), claims: { jti: uniqueName('j') } });
    const first = await request(ctx.app)
      .post(path(app, pending.id, 'skip'))
      .set('auth', `jwt ${once}`);
    const again = await request(ctx.app)
      .post(path(app, pending.id, 'skip'))
      .set('auth', `jwt ${once}`);
    expect(first.status).toBe(200);
    expect(again.status).toBe(401);
    expect(again.body.reason).toBe('replayed');
    expect((await deliveries(app, hook)).map((d) => d.status)).toEqual(['skipped']);
  });

  it('50 retries of one delivery at once send it once', async () => {
    const { app, hook } = await hookedApp(['user.created']);
    receiver.answer(404);
    await createUser(ctx.app, app);
    await runDeliveries(ctx.deps);
    const [refused] = await deliveries(app, hook);

    const answers = await Promise.all(Array.from({ length: 50 }, () => queueAction(app, hook, refused.id, 'retry')));

    expect(answers.every((res) => res.status === 202 || res.status === 409)).toBe(true);
    await runDeliveries(ctx.deps);
    expect(receiver.received).toHaveLength(2);
  });
});

describe('one attempt at a time per endpoint, with deliveries set aside', () => {
  it('50 concurrent claimers claim one delivery of an endpoint whose head and set-aside delivery are both due', async () => {
    const { app, hook } = await hookedApp(['user.created']);
    await createUser(ctx.app, app);
    await createUser(ctx.app, app);
    const [first] = await deliveries(app, hook);
    await ctx.db.query('UPDATE webhook_deliveries SET attempts = 3 WHERE message_id = $1', { bind: [first.id] });
    ctx.clock.advance(1);
    const now = ctx.clock.now();

    const claims = await Promise.all(
      Array.from({ length: 50 }, (_, i) => ctx.deps.deliveries.claim(now, new Date(now.getTime() + 60_000), `c-${i}`)),
    );

    expect(claims.filter((claim) => claim?.webhookId === hook)).toHaveLength(1);
    const leased = await ctx.db.query<{ n: unknown }>(
      'SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = $1 AND lease_owner IS NOT NULL',
      { bind: [hook], type: QueryTypes.SELECT },
    );
    expect(Number(leased[0].n)).toBe(1);
    ctx.clock.advance(61);
    expect(await runDeliveries(ctx.deps)).toBe(2);
  });
});
