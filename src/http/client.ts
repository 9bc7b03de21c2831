import type { Request } from 'express';

/** Where a request comes from: its IP (through TRUST_PROXY) and user agent, for sessions and limits. */
export interface Client {
  ip: string;
  userAgent: string | null;
}

export function clientOf(req: Request): Client {
  return { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown', userAgent: req.get('user-agent') ?? null };
}
