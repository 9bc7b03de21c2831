import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { JAWTH_KEY, SECRET_KEY, createTestContext, type TestContext } from '../helpers/context';
import { STACK_LINE, runCli } from '../helpers/cli';

let ctx: TestContext;
let server: Server;
let url: string;
beforeAll(async () => {
  ctx = await createTestContext();
  server = ctx.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await ctx.close();
});

/** A folder whose .env holds the given keys, as `jawth conf` would write it. */
function folderWithKeys(keys: { secretKey: string; jawthKey: string }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-advice-'));
  fs.writeFileSync(path.join(dir, '.env'), `SECRET_KEY=${keys.secretKey}\nJAWTH_KEY=${keys.jawthKey}\n`, {
    mode: 0o600,
  });
  return dir;
}

describe('jawth explains a refused admin credential by its reason', () => {
  it.each([
    ['SECRET_KEY', { secretKey: 'another-secret-key-of-at-least-32-bytes', jawthKey: JAWTH_KEY }],
    ['JAWTH_KEY', { secretKey: SECRET_KEY, jawthKey: 'another-master-password' }],
  ])('when the .env holds another %s than the server, then it names that .env and not the key', async (_k, keys) => {
    const dir = folderWithKeys(keys);

    const res = await runCli(['apps', 'list', '--url', url], dir);

    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(
      `jawth: 401 unauthorized (signature_or_credential): the server's SECRET_KEY/JAWTH_KEY differ from the ones in ${path.join(dir, '.env')}`,
    );
    expect(res.stderr).not.toContain(keys.secretKey);
    expect(res.stderr).not.toContain(keys.jawthKey);
    expect(res.stderr).not.toMatch(STACK_LINE);
  });

  it('when the keys come from the environment, then the advice says so', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-advice-'));

    const res = await runCli(['request', 'GET', '/applications', '--url', url], dir, {
      SECRET_KEY,
      JAWTH_KEY: 'another-master-password',
    });

    expect(res.code).toBe(1);
    expect(res.stderr).toContain('differ from the ones in the environment');
  });

  it('when the keys are right, then the request goes through', async () => {
    const res = await runCli(
      ['apps', 'list', '--json', '--url', url],
      folderWithKeys({ secretKey: SECRET_KEY, jawthKey: JAWTH_KEY }),
    );
    expect(res.code).toBe(0);
  });
});
