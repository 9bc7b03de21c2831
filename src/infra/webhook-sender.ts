import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { guardedLookup, hostOf, isPrivateAddress } from './webhook-address';

export interface SendOptions {
  /** The whole attempt (connect, send, answer) is cut after this. */
  timeoutMs: number;
  allowPrivate: boolean;
  /** Bytes of the answer read at most; the rest is not waited for. */
  maxResponseBytes: number;
  /** Aborts the attempt (the worker stopping). */
  signal?: AbortSignal;
}

export interface SendResult {
  /** The receiver's status; null when none came. */
  statusCode: number | null;
  error: string | null;
  /** The receiver's `Retry-After`, in milliseconds from now, when it sent a valid one. */
  retryAfterMs?: number;
}

/** `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date; undefined when neither. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * POSTs one delivery. Never follows a redirect (a 3xx is a failed attempt: the receiver's URL is
 * the one configured), reads at most `maxResponseBytes` of the answer, gives up after
 * `timeoutMs`, and connects only to addresses the SSRF guard allows, checked on the addresses it
 * actually connects to. Never throws: a failure is a result.
 */
export function sendWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: SendOptions,
): Promise<SendResult> {
  const url = new URL(target);
  const host = hostOf(url);
  if (!options.allowPrivate && net.isIP(host) && isPrivateAddress(host)) {
    return Promise.resolve({ statusCode: null, error: `refused: ${host} is a private or loopback address` });
  }
  return new Promise((resolve) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      lookup: guardedLookup(options.allowPrivate),
      agent: false,
    });
    const timer = setTimeout(() => {
      fail(`timed out after ${options.timeoutMs} ms`);
      request.destroy();
    }, options.timeoutMs);
    const onAbort = () => {
      fail('aborted: the worker stopped');
      request.destroy();
    };
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const fail = (error: string) => finish({ statusCode: null, error: error.slice(0, 300) });
    options.signal?.addEventListener('abort', onAbort);
    request.on('error', (error) => fail(error.message));
    request.on('response', (response) => {
      const statusCode = response.statusCode ?? null;
      const retryAfter = retryAfterMs(response.headers['retry-after'], Date.now());
      let read = 0;
      const done = () => {
        finish({ statusCode, error: null, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) });
        response.destroy();
      };
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read >= options.maxResponseBytes) done();
      });
      response.on('end', done);
      response.on('error', done);
    });
    request.end(body);
  });
}
