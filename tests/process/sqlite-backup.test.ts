import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listeningUrls, startServer, STACK_LINE, waitFor, type Running } from '../helpers/cli';
import { JAWTH_KEY, SECRET_KEY } from '../helpers/context';
import { GOOD_PASSWORD } from '../helpers/factories';
import { adminPost, keepRotating, loginStatus, runScript, sqliteRows } from '../helpers/scripts';

// scripts/backup-sqlite against a real server process that keeps writing during the copy.
const running: Running[] = [];
const ENV = { PORT: '0', SECRET_KEY, JAWTH_KEY, BCRYPT_COST: '10', LOGIN_QUEUE_MAX: '100' };

async function serve(dir: string, env: Record<string, string> = {}): Promise<string> {
  const server = startServer(dir, { ...ENV, ...env });
  running.push(server);
  await waitFor(() => listeningUrls(server.output()).length === 1, 20000);
  return listeningUrls(server.output())[0];
}

afterAll(() => {
  for (const server of running.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL');
});

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('a backup taken while the server rotates refresh tokens and creates users', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-backup-'));
  const copy = path.join(dir, 'backups', 'jawth.sqlite');
  const before: string[] = [];
  let result: Awaited<ReturnType<typeof runScript>>;

  beforeAll(async () => {
    const base = await serve(dir);
    await adminPost(base, '/applications', { name: 'shop' });
    for (let i = 0; i < 20; i++) {
      await adminPost(base, '/shop/users', { username: `before-${i}`, password: GOOD_PASSWORD });
      before.push(`before-${i}`);
    }
    const rotating = keepRotating(base, 'shop', 'before-0', 4);
    let creating = true;
    const created = (async () => {
      for (let i = 0; creating; i++)
        await adminPost(base, '/shop/users', { username: `during-${i}`, password: GOOD_PASSWORD });
    })();
    await waitFor(() => rotating.rotations() >= 50, 20000);
    result = await runScript('backup-sqlite', ['--database', 'sqlite:./data/jawth.sqlite', copy], dir);
    creating = false;
    await created;
    // Not one rotation failed or was refused while the copy was taken.
    const { failures } = await rotating.stop();
    expect(failures).toEqual([]);
  }, 60000);

  it('exits 0 and says what it wrote', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^backed up .*jawth\.sqlite to .*jawth\.sqlite: .* integrity ok, \d+ migrations\n$/);
  });

  it('writes one private file in a private folder, with nothing left beside it', () => {
    expect(mode(copy)).toBe(0o600);
    expect(mode(path.dirname(copy))).toBe(0o700);
    expect(fs.readdirSync(path.dirname(copy))).toEqual(['jawth.sqlite']);
  });

  it('is whole: integrity_check ok, the tables, and every user created before the backup started', async () => {
    expect(await sqliteRows(copy, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const tables = (
      await sqliteRows<{ name: string }>(copy, "SELECT name FROM sqlite_master WHERE type = 'table'")
    ).map((row) => row.name);
    expect(tables).toEqual(expect.arrayContaining(['schema_migrations', 'applications', 'users', 'sessions']));
    const users = (await sqliteRows<{ username: string }>(copy, 'SELECT username FROM users')).map((r) => r.username);
    expect(users).toEqual(expect.arrayContaining(before));
    const [{ count }] = await sqliteRows<{ count: number }>(copy, 'SELECT count(*) AS count FROM sessions');
    expect(count).toBeGreaterThan(50);
  });

  it('serves: a server started on the copy logs a user in', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-backup-copy-'));
    const base = await serve(other, { DATABASE_URL: `sqlite:${copy}` });
    expect(await loginStatus(base, 'shop', 'before-7')).toBe(200);
  }, 30000);
});

describe('backup-sqlite refusals', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-backup-errors-'));
  const database = path.join(dir, 'data', 'jawth.sqlite');

  beforeAll(async () => {
    // A jawth database made by the server's own start, then stopped.
    const server = startServer(dir, ENV);
    running.push(server);
    await waitFor(() => listeningUrls(server.output()).length === 1, 20000);
    server.child.kill('SIGTERM');
    await waitFor(() => server.child.exitCode !== null, 20000);
  }, 30000);

  const oneLine = (result: { code: number | null; stdout: string; stderr: string }, message: RegExp) => {
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(STACK_LINE);
  };

  it.each([
    ['a missing database', ['--database', 'sqlite:./nowhere.sqlite', 'out.sqlite'], /nowhere\.sqlite does not exist/],
    ['a PostgreSQL URL', ['--database', 'postgres://jawth:pw@db/jawth', 'out.sqlite'], /PostgreSQL: .*pg_dump/],
    [
      'a file that is not SQLite',
      ['--database', 'not-sqlite.txt', 'out.sqlite'],
      /not-sqlite\.txt is not a SQLite database/,
    ],
    ['no output named', ['--database', database], /name the OUTPUT file/],
    ['an unknown option', ['--fast', 'out.sqlite'], /Unknown option '--fast'/],
    ['an output under a file', ['--database', database, 'not-sqlite.txt/out.sqlite'], /cannot write .*not a directory/],
  ])('%s: one line, non-zero, no stack', async (_name, args, message) => {
    fs.writeFileSync(path.join(dir, 'not-sqlite.txt'), 'hello');
    oneLine(await runScript('backup-sqlite', args, dir), message);
    expect(fs.existsSync(path.join(dir, 'out.sqlite'))).toBe(false);
  });

  it('an existing output without --force is refused and left as it was; with --force it is replaced', async () => {
    const output = path.join(dir, 'existing.sqlite');
    fs.writeFileSync(output, 'an older backup');
    oneLine(
      await runScript('backup-sqlite', ['--database', database, output], dir),
      /existing\.sqlite exists: pass --force/,
    );
    expect(fs.readFileSync(output, 'utf8')).toBe('an older backup');

    const forced = await runScript('backup-sqlite', ['--database', database, '--force', output], dir);
    expect(forced.code).toBe(0);
    expect(await sqliteRows(output, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(mode(output)).toBe(0o600);
  });

  it('reads DATABASE_URL as the server does when --database is not given', async () => {
    const result = await runScript('backup-sqlite', ['from-config.sqlite'], dir);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`backed up ${database} to from-config.sqlite`);
  });

  it('--help exits 0 and names every option, with an example', async () => {
    const result = await runScript('backup-sqlite', ['--help'], dir);
    expect(result.code).toBe(0);
    for (const option of ['--database', '--force', '--help', 'Example']) expect(result.stdout).toContain(option);
  });
});
