import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrations } from '../../src/db/migrations';
import { exited, runCli, startServer, STACK_LINE } from '../helpers/cli';

const KEYS = { SECRET_KEY: 'x'.repeat(64), JAWTH_KEY: 'a-master-password' };

describe('a database that was never migrated', () => {
  it('the server with MIGRATE_ON_START=false refuses to start and says to run `jawth migrate`', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-unmigrated-'));
    const server = startServer(dir, { ...KEYS, PORT: '0', MIGRATE_ON_START: 'false' });
    expect(await exited(server.child)).toBe(1);
    expect(server.output()).toContain(
      `jawth: could not start: The database is not migrated (${migrations.length} pending: 0001-initial,`,
    );
    expect(server.output()).toContain('run `jawth migrate`, or start the server with MIGRATE_ON_START=true');
    expect(server.output()).not.toMatch(STACK_LINE);
    expect(server.output()).not.toContain('SQLITE_ERROR');
  });

  it('jawth export says to run `jawth migrate`; once migrated, it exports', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-unmigrated-cli-'));
    const output = path.join(dir, 'dump.jsonl');
    const refused = await runCli(['export', '--output', output], dir, KEYS);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('The database is not migrated');
    expect(refused.stderr).toContain('run `jawth migrate`');
    expect(refused.stderr).not.toMatch(STACK_LINE);

    expect((await runCli(['migrate'], dir, KEYS)).code).toBe(0);
    const exported = await runCli(['export', '--output', output], dir, KEYS);
    expect(exported.code).toBe(0);
    expect(fs.readFileSync(output, 'utf8')).toMatch(/^\{"format":"jawth-dump"/);
  });
});
