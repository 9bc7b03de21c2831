import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exited, listeningUrls, startServer, STACK_LINE, waitFor, type CliResult, type Running } from '../helpers/cli';
import { JAWTH_KEY, SECRET_KEY } from '../helpers/context';
import sqlite3 from 'sqlite3';
import { GOOD_PASSWORD } from '../helpers/factories';
import { adminPost, loginStatus, runScript, sqliteRows } from '../helpers/scripts';

// scripts/restore-sqlite onto the database of a stopped server, and refused under a running one.
const running: Running[] = [];
const ENV = { PORT: '0', SECRET_KEY, JAWTH_KEY, BCRYPT_COST: '10' };

function serve(dir: string): Running {
  const server = startServer(dir, ENV);
  running.push(server);
  return server;
}
const urlOf = async (server: Running) => {
  await waitFor(() => listeningUrls(server.output()).length === 1, 20000);
  return listeningUrls(server.output())[0];
};

afterAll(() => {
  for (const server of running.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL');
});

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const usernames = async (file: string) =>
  (await sqliteRows<{ username: string }>(file, 'SELECT username FROM users ORDER BY username')).map((r) => r.username);

const oneLine = (result: CliResult, message: RegExp) => {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(STACK_LINE);
};

describe('restoring a backup', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-restore-'));
  const database = path.join(dir, 'data', 'jawth.sqlite');
  const backup = path.join(dir, 'backups', 'jawth.sqlite');
  const kept = () => fs.readdirSync(path.dirname(database)).filter((name) => name.includes('.before-restore-'));
  let restored: CliResult;
  let filesAfterRestore: string[];
  let refused: CliResult;
  let usersBeforeRefusal: string[];
  let base: string;

  beforeAll(async () => {
    const first = serve(dir);
    const url = await urlOf(first);
    await adminPost(url, '/applications', { name: 'shop' });
    for (const username of ['alice', 'bob']) await adminPost(url, '/shop/users', { username, password: GOOD_PASSWORD });
    expect((await runScript('backup-sqlite', [backup], dir)).code).toBe(0);
    await adminPost(url, '/shop/users', { username: 'after-backup', password: GOOD_PASSWORD });
    // Killed, not stopped: a crashed server leaves its -wal and -shm, the harder case.
    first.child.kill('SIGKILL');
    await exited(first.child);

    restored = await runScript('restore-sqlite', [backup], dir);
    filesAfterRestore = fs.readdirSync(path.dirname(database)).sort();

    base = await urlOf(serve(dir));
    usersBeforeRefusal = await usernames(database);
    refused = await runScript('restore-sqlite', ['--database', `sqlite:${database}`, backup], dir);
  }, 60000);

  it('exits 0 and names where the replaced database is kept', () => {
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/^restored .* to .*jawth\.sqlite: .*; the database it replaced is kept as .*\n$/);
  });

  it("puts the backup's data in place, private, with no stale -wal or -shm", async () => {
    expect(filesAfterRestore).toEqual(['jawth.sqlite', kept()[0]]);
    expect(usersBeforeRefusal).toEqual(['alice', 'bob']);
    expect(mode(database)).toBe(0o600);
  });

  it('keeps the replaced database, 0600, with what it held (the user created after the backup)', async () => {
    expect(kept()).toHaveLength(1);
    const file = path.join(path.dirname(database), kept()[0]);
    expect(mode(file)).toBe(0o600);
    expect(await sqliteRows(file, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(await usernames(file)).toEqual(['after-backup', 'alice', 'bob']);
  });

  it('serves: a server started on the restored database logs in the backup users only', async () => {
    expect(await loginStatus(base, 'shop', 'alice')).toBe(200);
    expect(await loginStatus(base, 'shop', 'after-backup')).toBe(401);
  });

  it('is refused while a server has the database open, in one line, and changes nothing', async () => {
    oneLine(refused, /jawth\.sqlite is in use: .*stop it/);
    expect(kept()).toHaveLength(1);
    expect(fs.readdirSync(path.dirname(database)).filter((name) => name.includes('.restoring-'))).toEqual([]);
    expect(await usernames(database)).toEqual(usersBeforeRefusal);
    expect(await loginStatus(base, 'shop', 'bob')).toBe(200);
  });

  it('--no-keep keeps nothing', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-restore-nokeep-'));
    const target = path.join(other, 'jawth.sqlite');
    fs.copyFileSync(backup, target);
    const result = await runScript('restore-sqlite', ['--no-keep', '--database', target, backup], other);
    expect(result.code).toBe(0);
    expect(fs.readdirSync(other)).toEqual(['jawth.sqlite']);
  });
});

describe('restore-sqlite refusals', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-restore-errors-'));

  beforeAll(async () => {
    fs.writeFileSync(path.join(dir, 'not-sqlite.txt'), 'hello');
    // A SQLite file, but not a jawth database.
    await new Promise<void>((resolve, reject) => {
      const db = new sqlite3.Database(path.join(dir, 'other.sqlite'));
      db.exec('CREATE TABLE notes (text TEXT)', (error) => db.close(() => (error ? reject(error) : resolve())));
    });
  });

  it.each([
    [
      'a missing backup',
      ['--database', 'target.sqlite', 'nowhere.sqlite'],
      /the backup .*nowhere\.sqlite does not exist/,
    ],
    ['a backup that is not SQLite', ['--database', 'target.sqlite', 'not-sqlite.txt'], /is not a SQLite database/],
    ['a SQLite file that is not jawth', ['--database', 'target.sqlite', 'other.sqlite'], /not a jawth database/],
    ['a PostgreSQL database', ['--database', 'postgres://jawth@db/jawth', 'other.sqlite'], /PostgreSQL: .*pg_restore/],
    ['no backup named', ['--database', 'target.sqlite'], /name the BACKUP file/],
  ])('%s: one line, non-zero, no stack, nothing written', async (_name, args, message) => {
    oneLine(await runScript('restore-sqlite', args, dir), message);
    expect(fs.existsSync(path.join(dir, 'target.sqlite'))).toBe(false);
  });

  it('--help exits 0 and names every option, with an example', async () => {
    const result = await runScript('restore-sqlite', ['--help'], dir);
    expect(result.code).toBe(0);
    for (const option of ['--database', '--no-keep', '--help', 'Example']) expect(result.stdout).toContain(option);
  });
});
