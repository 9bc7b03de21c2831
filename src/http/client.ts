import type { Request } from 'express';
import type { ClientInfo } from '../db/session.repository';

/** Where a request comes from: its IP (through TRUST_PROXY) and user agent, for sessions and limits. */
export function clientOf(req: Request): Required<ClientInfo> & { ip: string } {
  return { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown', userAgent: req.get('user-agent') ?? null };
}
