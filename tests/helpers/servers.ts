import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type RequestHandler } from 'express';

export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** Listens on port 0 (any free port) on loopback and says where. */
export function listen(app: Express): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(0, '127.0.0.1', (error?: Error) => {
      if (error) return reject(error);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            // fetch keeps connections alive; without this, close waits for their timeout.
            server.closeAllConnections();
          }),
      });
    });
  });
}

/**
 * An application's API protected by `auth`: `GET /data` echoes the caller's username. With
 * `failFirst`, the first request is answered 401 whatever its token, as an API does when it
 * has just rotated its secret, so that a client must renew and retry.
 */
export function protectedBackend(auth: RequestHandler, options: { failFirst?: boolean } = {}) {
  const seen: (string | undefined)[] = [];
  const app = express();
  app.get('/data', (req, res, next) => {
    seen.push(req.headers.authorization);
    if (options.failFirst && seen.length === 1) {
      res.status(401).json({ error: 'unauthorized', message: 'Try again.' });
      return;
    }
    next();
  });
  app.get('/data', auth, (req, res) => {
    res.json({ hello: req.auth?.username, groups: req.auth?.groups });
  });
  return { app, seen };
}
