import { signToken } from '../crypto/jwt';
import { randomId } from '../crypto/random';
import type { Config } from '../config/config';
import { authAdvice } from './auth-advice';
import { CliError } from './errors';
import type { Settings } from './settings';

export interface SignOptions {
  data?: unknown;
  method?: string;
  path?: string;
  /** Seconds until exp. */
  ttl: number;
}

/**
 * A JaWTh signed admin request token, bound to a method and to a path with its query (htm/htu)
 * when given, and always one-use (a fresh `jti`): a captured token cannot be replayed.
 */
export function signAdminRequest(config: Pick<Config, 'secretKey' | 'jawthKey'>, options: SignOptions): string {
  const iat = Math.floor(Date.now() / 1000);
  return signToken(
    {
      password: config.jawthKey,
      ...(options.data === undefined ? {} : { data: options.data }),
      ...(options.method ? { htm: options.method.toUpperCase() } : {}),
      ...(options.path ? { htu: options.path } : {}),
      jti: randomId(),
      iat,
      exp: iat + options.ttl,
    },
    config.secretKey,
  );
}

export interface AdminResponse {
  status: number;
  body: unknown;
  /** X-Total-Count of a list answer: how many there are in all. */
  total?: number;
}

const REQUEST_TTL = 60;

/** Signs and sends one admin request; 4xx/5xx answers become a CliError with the server's message. */
export async function sendAdminRequest(
  baseUrl: string,
  { config, keysFrom }: Pick<Settings, 'config' | 'keysFrom'>,
  method: string,
  path: string,
  data?: unknown,
): Promise<AdminResponse> {
  const verb = method.toUpperCase();
  // The target as fetch will send it (spaces and such escaped): the server compares htu with it.
  const sent = new URL(path.startsWith('/') ? path : `/${path}`, 'http://jawth.invalid');
  const target = `${sent.pathname}${sent.search}`;
  const token = signAdminRequest(config, { data, method: verb, path: target, ttl: REQUEST_TTL });
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${target}`, { method: verb, headers: { auth: `jwt ${token}` } });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new CliError(
      `cannot reach jawth at ${baseUrl} (${why}): is \`jawth serve\` running? Set --url or JAWTH_URL.`,
    );
  }
  const text = await response.text();
  const body: unknown = text ? parseJson(text) : undefined;
  if (response.status >= 400) throw new CliError(describeFailure(response.status, body, keysFrom));
  const total = response.headers.get('x-total-count');
  return { status: response.status, body, ...(total === null ? {} : { total: Number(total) }) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describeFailure(status: number, body: unknown, keysFrom: string): string {
  if (typeof body !== 'object' || body === null) return `${status}: ${String(body ?? 'no answer body')}`;
  const { error, message, details, reason } = body as {
    error?: string;
    message?: string;
    details?: unknown;
    reason?: unknown;
  };
  const advice = status === 401 ? authAdvice(reason, keysFrom) : undefined;
  if (advice) return `${status} ${error ?? 'error'} (${String(reason)}): ${advice}`;
  const lines = Array.isArray(details)
    ? details.map((d: { field?: string; message?: string }) => `\n  ${d.field}: ${d.message}`).join('')
    : '';
  return `${status} ${error ?? 'error'}: ${message ?? ''}${lines}`;
}
