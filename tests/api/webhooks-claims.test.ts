import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { openDatabase, prepareDatabase, timeoutsOf } from '../../src/db/sequelize';
import { closeStore, storeOf, type Store } from '../../src/services/deps';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser } from '../helpers/factories';

// Two processes on one SQLite file (WORKERS > 1): two connections claim from one outbox. Each
// claim is one conditional UPDATE, which SQLite runs alone: no delivery is claimed twice.
let ctx: TestContext;
let other: Store;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-hooks-'));
  const file = path.join(dir, 'jawth.sqlite');
  ctx = await createTestContext({ webhookAllowPrivate: true }, { sqliteFile: file });
  other = storeOf(openDatabase(`sqlite:${file}`, { timeouts: timeoutsOf(ctx.config) }));
  await prepareDatabase(other.db);
});
afterAll(async () => {
  await closeStore(other);
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('two connections to one file, 25 claimers each, claim each due delivery exactly once', async () => {
  const hooks: string[] = [];
  for (let i = 0; i < 10; i += 1) {
    const app = await createApplication(ctx.app);
    const res = await admin(ctx.app, 'post', `/applications/${app.name}/webhooks`, {
      url: 'http://127.0.0.1:9/hooks',
      events: ['user.created'],
    });
    hooks.push(res.body.id as string);
    await createUser(ctx.app, app.name);
  }
  const now = new Date(ctx.clock.now().getTime() + 1000);
  const lease = new Date(now.getTime() + 60_000);

  const claims = await Promise.all(
    Array.from({ length: 50 }, (_, i) => (i % 2 ? other : ctx.deps).deliveries.claim(now, lease, `claimer-${i}`)),
  );

  const won = claims.filter((claim) => claim !== null);
  expect(won.map((claim) => claim.webhookId).sort()).toEqual([...hooks].sort());
  expect(new Set(won.map((claim) => claim.id)).size).toBe(10);
  const rows = await ctx.db.query<{ lease_owner: string }>(
    'SELECT lease_owner FROM webhook_deliveries ORDER BY lease_owner',
    { type: QueryTypes.SELECT },
  );
  expect(rows.map((row) => row.lease_owner)).toEqual(won.map((claim) => claim.leaseOwner).sort());
});
