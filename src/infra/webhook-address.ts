import dns from 'node:dns';
import net from 'node:net';

/**
 * Where a webhook may not go unless WEBHOOK_ALLOW_PRIVATE (SSRF): this host, private networks,
 * link-local (cloud metadata at 169.254.169.254), unique-local, carrier-grade NAT, multicast and
 * the unspecified and reserved ranges. IPv4-mapped IPv6 addresses are checked as their IPv4.
 */
const FORBIDDEN = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  FORBIDDEN.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  FORBIDDEN.addSubnet(prefix, bits, 'ipv6');

/** Whether an IP address is one a webhook may not reach by default. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return true; // not an address: refuse rather than guess
  return FORBIDDEN.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** The host of a URL as `net` reads it: `[::1]` → `::1`. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Why `url` may not be a webhook's, or undefined when it may: its host is, or resolves to, a
 * forbidden address (every address it resolves to is checked, not only the first).
 */
export async function refusalOf(url: URL, allowPrivate: boolean): Promise<string | undefined> {
  if (allowPrivate) return undefined;
  const host = hostOf(url);
  if (net.isIP(host)) return isPrivateAddress(host) ? `${host} is a private or loopback address` : undefined;
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true });
  } catch {
    return `${host} does not resolve`;
  }
  const forbidden = addresses.find((a) => isPrivateAddress(a.address));
  return forbidden ? `${host} resolves to ${forbidden.address}, a private or loopback address` : undefined;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request that refuses forbidden addresses: the connection goes to the
 * addresses checked here, so a name that resolved to a public address when the webhook was saved
 * and to a private one now (DNS rebinding) is refused at delivery.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const forbidden = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (forbidden) {
        const refusal = new Error(`${hostname} resolves to ${forbidden.address}, a private or loopback address`);
        return callback(Object.assign(refusal, { code: 'EPRIVATE' }), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}
