import net, { type Socket } from 'node:net';
import type { Server, ServerResponse } from 'node:http';

/** After the signal, a keep-alive connection with no request for this long is closed. */
const IDLE_GRACE_MS = 500;
const CHECK_EVERY_MS = 100;

export interface DrainResult {
  drained: boolean;
  /** Connections still open when the time ran out (0 when drained). */
  open: number;
  /** Requests still unanswered when the time ran out. */
  inFlight: number;
}

interface Connection {
  requests: number;
  idleSince: number;
}

/**
 * Graceful close under keep-alive load. Node's `server.close()` also calls
 * `closeIdleConnections()`, which destroys every connection with no request being parsed,
 * including one whose next request already sits unread in the socket: the client sees a reset.
 * And a busy keep-alive connection is never told to close, so `close()` waits as long as the
 * traffic lasts. Here, once `close()` is called: the listener stops accepting; every request
 * already received, and any that still arrives on an open connection, is answered with
 * `Connection: close` (Node then closes that connection); a connection that carries no request
 * for IDLE_GRACE_MS is ended.
 */
export function gracefulCloser(server: Server) {
  const connections = new Map<Socket, Connection>();
  const responses = new Set<ServerResponse>();
  let closing = false;

  server.on('connection', (socket: Socket) => {
    connections.set(socket, { requests: 0, idleSince: Date.now() });
    socket.once('close', () => connections.delete(socket));
  });
  // Prepended: Express may answer synchronously, before a listener added after it would run.
  server.prependListener('request', (req, res: ServerResponse) => {
    const connection = connections.get(req.socket);
    if (connection) connection.requests++;
    responses.add(res);
    if (closing) res.setHeader('Connection', 'close');
    res.once('close', () => {
      responses.delete(res);
      if (connection) {
        connection.requests--;
        connection.idleSince = Date.now();
      }
    });
  });

  const endIdle = (since: number) => {
    const now = Date.now();
    for (const [socket, connection] of connections) {
      if (connection.requests === 0 && now - Math.max(connection.idleSince, since) >= IDLE_GRACE_MS) {
        connections.delete(socket);
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
      }
    }
  };

  /** Stops accepting and waits for every connection to finish, at most `timeoutMs`. */
  function close(timeoutMs: number): Promise<DrainResult> {
    closing = true;
    const since = Date.now();
    for (const res of responses) if (!res.headersSent) res.setHeader('Connection', 'close');
    return new Promise((resolve) => {
      // net.Server's close, not http.Server's: it stops listening and leaves the connections to us.
      net.Server.prototype.close.call(server, () => finish(true));
      // setImmediate: the check runs after the poll phase, so a request that arrived while the
      // event loop was busy is read (and counted) before its connection could be judged idle.
      const checker = setInterval(() => setImmediate(() => endIdle(since)), CHECK_EVERY_MS);
      const deadline = setTimeout(() => finish(false), timeoutMs);
      function finish(drained: boolean) {
        clearInterval(checker);
        clearTimeout(deadline);
        resolve({ drained, open: drained ? 0 : connections.size, inFlight: drained ? 0 : responses.size });
      }
    });
  }

  return { close };
}
