import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { admin, createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser, login } from '../helpers/factories';

// docs/operations.md, When something fails: this process's SQLite write transactions (Sequelize's
// and the rotation writer's) take turns in one queue, so that none waits for another of the same
// process in SQLite's busy handler.
let ctx: TestContext;
beforeAll(async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-one-queue-')), 'jawth.sqlite');
  // A busy timeout of 1 s: a transaction left waiting that long fails its request with 503.
  ctx = await createTestContext({ databaseConnectTimeout: 1 }, { sqliteFile: file });
});
afterAll(() => ctx.close());

it('50 rotations and 50 admin writes at once on a SQLite file all succeed, and every write is there', async () => {
  const { name } = await createApplication(ctx.app);
  const users: { username: string; password: string }[] = [];
  for (let i = 0; i < 10; i++) users.push(await createUser(ctx.app, name));
  const tokens: string[] = [];
  for (const user of users) tokens.push((await login(ctx.app, name, user.username, user.password)).body.refresh_token);

  const rotations = Array.from({ length: 50 }, (_, i) =>
    request(ctx.app)
      .post(`/${name}/refresh`)
      .send({ refresh_token: tokens[i % tokens.length] }),
  );
  const writes = Array.from({ length: 50 }, (_, i) =>
    admin(ctx.app, 'patch', `/${name}/users/${users[i % users.length].username}`, { role: `role-${i}` }),
  );
  const answers = await Promise.all([...rotations, ...writes]);

  expect(answers.map((res) => res.status)).toEqual(Array(100).fill(200));
  // Each of the 10 sessions was spent once; the other renewals came within the reuse grace.
  const [{ sessions }] = await ctx.db.query<{ sessions: number }>(
    'SELECT COUNT(*) AS sessions FROM sessions s JOIN users u ON u.id = s.user_id JOIN applications a ON a.id = u.application_id WHERE a.name = $1',
    { bind: [name], type: QueryTypes.SELECT },
  );
  expect(Number(sessions)).toBe(10 + 50);
  const written = await ctx.models.User.findAll({ where: { username: users.map((u) => u.username) } });
  expect(written.every((u) => u.role.startsWith('role-'))).toBe(true);
});
