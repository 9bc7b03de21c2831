import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { exited, listeningUrls, runCli, startCli, waitFor } from '../helpers/cli';
import { startReceiver } from '../helpers/webhook-receiver';

const ENV = { BCRYPT_COST: '10', LOG_LEVEL: 'info', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE: '1s' };

jest.setTimeout(60_000);

const workerPids = (output: string) =>
  [...output.matchAll(/"pid":(\d+)[^\n]*jawth listening on/g)].map((match) => Number(match[1]));

describe('webhooks with jawth serve --workers 2 on one SQLite file', () => {
  it('the workers deliver every event once (a retried one twice, same id), signed, and stop on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-hooks-workers-'));
    const receiver = await startReceiver();
    expect((await runCli(['conf'], dir, ENV)).code).toBe(0);
    const server = startCli(['serve', '--workers', '2', '--port', '0'], dir, ENV);
    try {
      await waitFor(() => workerPids(server.output()).length === 2);
      const [url] = listeningUrls(server.output());
      const remote = async (method: string, route: string, data: unknown) => {
        const res = await runCli(['request', method, route, '--data', JSON.stringify(data), '--url', url], dir, ENV);
        expect([route, res.code, res.stderr]).toEqual([route, 0, '']);
        return JSON.parse(res.stdout) as Record<string, unknown>;
      };
      await remote('POST', '/applications', { name: 'shop' });
      const hook = await remote('POST', '/applications/shop/webhooks', { url: receiver.url, events: ['user.created'] });
      receiver.answer(500); // the first delivery is retried, by whichever process comes to it

      const names = ['ada', 'bob', 'cy'];
      for (const username of names)
        await remote('POST', '/shop/users', { username, password: 'correct-horse-battery-7' });
      await receiver.waitFor(names.length + 1);

      const verifier = new Webhook(hook.secret as string);
      const events = receiver.received.map(
        (r) => verifier.verify(r.body, r.headers as Record<string, string>) as { data: { username: string } },
      );
      const ids = receiver.received.map((r) => r.headers['webhook-id']);
      expect(new Set(ids).size).toBe(names.length);
      expect(ids[1]).toBe(ids[0]); // the retry: same webhook-id, and nothing sent past it meanwhile
      expect(events.slice(1).map((event) => event.data.username)).toEqual(names);
    } finally {
      server.child.kill('SIGTERM');
      await receiver.close();
    }
    expect(await exited(server.child)).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
