import { QueryTypes } from 'sequelize';
import { importWriter, inImportTransaction } from '../../src/db/import-writer';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication } from '../helpers/factories';

// The imports' data layer (db/import-writer.ts) on a real database: what the dump and Quid
// imports write through it, read back with SQL.
describe('import writer', () => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext();
  });
  afterEach(async () => {
    await ctx.close();
  });

  const count = async (sql: string, bind: unknown[] = []) => {
    const [row] = await ctx.db.query<{ n: number | string }>(sql, { bind, type: QueryTypes.SELECT });
    return Number(row.n);
  };

  it('writes more users than one slice, and gives the id of each by username, memberships included', async () => {
    const app = await createApplication(ctx.app);
    const writer = importWriter(ctx.deps);
    const applicationId = (await writer.applicationId(app.name)) as number;
    expect(await count('SELECT id AS n FROM applications WHERE name = $1', [app.name])).toBe(applicationId);
    await writer.insertGroups(applicationId, [{ name: 'staff' }]);
    const staff = (await writer.groupIds(applicationId, 'staff')).get('staff') as number;

    const users = Array.from({ length: 1205 }, (_, i) => ({
      uid: `uid-${i}`,
      username: `user${i}`,
      passwordHash: '$2b$04$abcdefghijklmnopqrstuv',
      disabled: i % 2 === 0,
      lastLoginAt: null,
      tokensValidAfter: null,
      createdAt: new Date('2024-01-02T03:04:05.000Z'),
    }));
    const ids = await inImportTransaction(ctx.deps, async (w) => {
      const created = await w.insertUsers(applicationId, users);
      await w.insertMemberships(
        'user_groups',
        users.map((u) => ({ user_id: created.get(u.username) as number, group_id: staff })),
      );
      return created;
    });

    expect(ids.size).toBe(1205);
    const rows = await ctx.db.query<{ id: number | string; username: string; disabled: boolean | number }>(
      'SELECT id, username, disabled FROM users WHERE application_id = $1',
      { bind: [applicationId], type: QueryTypes.SELECT },
    );
    expect(rows).toHaveLength(1205);
    for (const row of rows) expect(ids.get(row.username)).toBe(Number(row.id));
    expect(rows.filter((r) => Boolean(r.disabled))).toHaveLength(603);
    expect(await count('SELECT COUNT(*) AS n FROM user_groups WHERE group_id = $1', [staff])).toBe(1205);

    const clashes = await writer.clashingUsers(applicationId, ['user7', 'nobody'], ['uid-9', 'uid-none']);
    expect(clashes.map((c) => c.username).sort()).toEqual(['user7', 'user9']);
  });

  it('writes nothing of a transaction whose work fails', async () => {
    const app = await createApplication(ctx.app);
    const applicationId = (await importWriter(ctx.deps).applicationId(app.name)) as number;
    await expect(
      inImportTransaction(ctx.deps, async (w) => {
        await w.insertOrgs([{ name: 'acme' }]);
        await w.insertUsers(applicationId, [
          {
            uid: 'u-1',
            username: 'ann',
            passwordHash: 'x',
            disabled: false,
            lastLoginAt: null,
            tokensValidAfter: null,
          },
        ]);
        throw new Error('cut');
      }),
    ).rejects.toThrow('cut');
    expect(await count("SELECT COUNT(*) AS n FROM orgs WHERE name = 'acme'")).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM users WHERE application_id = $1', [applicationId])).toBe(0);
    expect((await importWriter(ctx.deps).orgIds()).size).toBe(0);
  });
});
