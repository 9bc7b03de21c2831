import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication } from '../helpers/factories';

// the SQLite database holds every application's secret; its folder is 0700 and
// the file, -wal and -shm 0600, whatever the umask and whether they existed before.
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

let umask: number;
beforeAll(() => {
  umask = process.umask(0o022);
});
afterAll(() => process.umask(umask));

async function withDatabaseIn(folder: string, story: (ctx: TestContext, file: string) => Promise<void>) {
  const file = path.join(folder, 'jawth.sqlite');
  const ctx = await createTestContext({}, { sqliteFile: file });
  try {
    await story(ctx, file);
  } finally {
    await ctx.close();
  }
}

describe('SQLite file permissions', () => {
  it('when jawth creates the database under umask 022, then folder 0700 and file, -wal and -shm 0600', async () => {
    const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-perm-')), 'data');

    await withDatabaseIn(folder, async (ctx, file) => {
      const app = await createApplication(ctx.app);

      expect(await ctx.models.Application.count({ where: { name: app.name } })).toBe(1);
      expect(modeOf(folder)).toBe(0o700);
      expect(modeOf(file)).toBe(0o600);
      expect(modeOf(`${file}-wal`)).toBe(0o600);
      expect(modeOf(`${file}-shm`)).toBe(0o600);
    });
  });

  it('when the folder, the file, -wal and -shm exist readable by all, then opening makes them private', async () => {
    const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-perm-')), 'data');
    fs.mkdirSync(folder, { mode: 0o755 });
    fs.chmodSync(folder, 0o755);
    const file = path.join(folder, 'jawth.sqlite');
    await withDatabaseIn(folder, async (ctx) => void (await createApplication(ctx.app)));
    for (const name of [file, `${file}-wal`, `${file}-shm`]) {
      fs.writeFileSync(name, fs.existsSync(name) ? fs.readFileSync(name) : '', { mode: 0o644 });
      fs.chmodSync(name, 0o644);
    }
    fs.chmodSync(folder, 0o755);

    await withDatabaseIn(folder, async (ctx) => {
      const app = await createApplication(ctx.app);

      expect(await ctx.models.Application.count({ where: { name: app.name } })).toBe(1);
      expect(modeOf(folder)).toBe(0o700);
      for (const name of [file, `${file}-wal`, `${file}-shm`]) expect([name, modeOf(name)]).toEqual([name, 0o600]);
    });
  });
});
