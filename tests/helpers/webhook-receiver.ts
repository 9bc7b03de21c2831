import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A request the receiver got, as it came. */
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What to answer: a status, or `hang` (never answer: a timeout). */
export type Answer = number | 'hang' | { status: number; headers: Record<string, string> };

/**
 * A real HTTP receiver for webhooks, on a free port of 127.0.0.1. It answers each request with
 * the next answer queued (then `fallback`), and records what it got.
 */
export async function startReceiver(fallback: Answer = 200) {
  const received: Received[] = [];
  const answers: Answer[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      for (const waiter of waiters.filter((w) => received.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const answer = answers.shift() ?? fallback;
      if (answer === 'hang') return;
      if (typeof answer === 'number') res.writeHead(answer).end('ok');
      else res.writeHead(answer.status, answer.headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    /** Answers for the next requests, in order. */
    answer(...next: Answer[]) {
      answers.push(...next);
    },
    /** Resolves once `count` requests in all have come (the test's own timeout bounds the wait). */
    waitFor(count: number): Promise<void> {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    /**
     * What came, each verified with standardwebhooks as of `at` (the test clock's now: the library
     * refuses a timestamp more than 5 minutes from its own clock).
     */
    events<T = { type: string; data: Record<string, string> }>(secret: string, at: Date): T[] {
      const now = jest.spyOn(Date, 'now').mockReturnValue(at.getTime());
      try {
        return received.map(
          ({ headers, body }) => new Webhook(secret).verify(body, headers as Record<string, string>) as T,
        );
      } finally {
        now.mockRestore();
      }
    },
    types(): string[] {
      return received.map((r) => (JSON.parse(r.body) as { type: string }).type);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
