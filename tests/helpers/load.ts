import http from 'node:http';
import { adminToken } from './context';
import { GOOD_PASSWORD } from './factories';

/** One request of a load loop: when it was sent, when it ended, and how. */
export interface Outcome {
  sentAt: number;
  endedAt: number;
  status?: number;
  connection?: string;
  error?: string;
}

/** POSTs JSON through `agent`; never rejects: a failure is an outcome too. */
export function post(agent: http.Agent, url: string, body: unknown, timeoutMs = 10_000): Promise<Outcome> {
  const payload = JSON.stringify(body);
  const sentAt = Date.now();
  return new Promise((resolve) => {
    const req = http.request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      timeout: timeoutMs,
    });
    req.once('response', (res) => {
      res.resume();
      res.once('end', () =>
        resolve({ sentAt, endedAt: Date.now(), status: res.statusCode, connection: res.headers.connection }),
      );
      res.once('error', (error: NodeJS.ErrnoException) =>
        resolve({ sentAt, endedAt: Date.now(), error: error.code ?? error.message }),
      );
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ sentAt, endedAt: Date.now(), error: error.code ?? error.message }),
    );
    req.end(payload);
  });
}

/**
 * `connections` loops, each POSTing one request after another until `stop()`: over keep-alive
 * connections, or with `keepAlive: false` a new connection per request.
 */
export function runLoad(
  url: string,
  body: unknown,
  {
    connections,
    keepAlive = true,
    timeoutMs = 10_000,
  }: { connections: number; keepAlive?: boolean; timeoutMs?: number },
) {
  const agent = new http.Agent({ keepAlive, maxSockets: connections });
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = Array.from({ length: connections }, async () => {
    while (running) {
      const outcome = await post(agent, url, body, timeoutMs);
      outcomes.push(outcome);
      // Once the server is gone every new connection is refused: pause rather than spin.
      if (outcome.error) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  return {
    outcomes,
    async stop(): Promise<Outcome[]> {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return outcomes;
    },
  };
}

/** On a running jawth: an application, a user and a Quid refresh token for /token/access. */
export async function quidAccessBody(base: string, appName: string) {
  const admin = async (path: string, data: unknown) => {
    const answer = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { auth: `jwt ${adminToken({ data, method: 'POST', path })}` },
    });
    if (answer.status !== 201) throw new Error(`${path}: ${answer.status} ${await answer.text()}`);
  };
  await admin('/applications', { name: appName });
  await admin(`/${appName}/users`, { username: 'alice', password: GOOD_PASSWORD });
  const refresh = await fetch(`${base}/token/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ namespace: appName, username: 'alice', password: GOOD_PASSWORD }),
  });
  const { token } = (await refresh.json()) as { token: string };
  return { namespace: appName, refresh_token: token };
}
