import dns from 'node:dns';
import net from 'node:net';

/**
 * Where a webhook may not go unless WEBHOOK_ALLOW_PRIVATE (SSRF): this host, private networks,
 * link-local (cloud metadata at 169.254.169.254), unique-local, carrier-grade NAT, multicast and
 * the unspecified and reserved ranges. An IPv6 address that carries an IPv4 one (mapped,
 * compatible, SIIT, NAT64, 6to4, Teredo) is judged by that IPv4 too: `::7f00:1`, `64:ff9b::a00:1`
 * and `2002:c0a8:101::1` all reach a private IPv4 host through some stack or translator.
 */
const FORBIDDEN_V4 = new net.BlockList();
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
  FORBIDDEN_V4.addSubnet(prefix, bits, 'ipv4');

const FORBIDDEN_V6 = new net.BlockList();
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64], // discard-only
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215): a site's own translator, embedding unknown
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10], // site-local, deprecated but still routed locally by some stacks
  ['ff00::', 8],
] as const)
  FORBIDDEN_V6.addSubnet(prefix, bits, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (zone dropped, dotted IPv4 tail allowed). */
function groupsOf(address: string): number[] {
  const [head = '', tail] = address.replace(/%.*$/, '').split('::');
  const words = (part: string | undefined): number[] =>
    !part
      ? []
      : part.split(':').flatMap((word) => {
          if (!word.includes('.')) return [parseInt(word, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = word.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const left = words(head);
  const right = words(tail);
  const fill = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...fill, ...right];
}

const ipv4Of = (high: number, low: number): string => `${high >>> 8}.${high & 0xff}.${low >>> 8}.${low & 0xff}`;

/** Every IPv4 address an IPv6 one carries, in each of the forms that route to it. */
export function embeddedIpv4(address: string): string[] {
  const g = groupsOf(address);
  const zeros = (from: number, to: number): boolean => g.slice(from, to).every((word) => word === 0);
  const found: string[] = [];
  if (zeros(0, 5) && (g[5] === 0 || g[5] === 0xffff)) found.push(ipv4Of(g[6], g[7])); // compatible ::/96, mapped ::ffff:0:0/96
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) found.push(ipv4Of(g[6], g[7])); // SIIT ::ffff:0:0:0/96
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) found.push(ipv4Of(g[6], g[7])); // NAT64 64:ff9b::/96
  if (g[0] === 0x2002) found.push(ipv4Of(g[1], g[2])); // 6to4 2002::/16
  if (g[0] === 0x2001 && g[1] === 0) found.push(ipv4Of(g[2], g[3]), ipv4Of(g[6] ^ 0xffff, g[7] ^ 0xffff)); // Teredo: server, client (XOR'ed)
  return found;
}

/** Whether an IP address is one a webhook may not reach by default. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return true; // not an address: refuse rather than guess
  if (family === 4) return FORBIDDEN_V4.check(address, 'ipv4');
  if (FORBIDDEN_V6.check(address.replace(/%.*$/, ''), 'ipv6')) return true;
  return embeddedIpv4(address).some((ipv4) => FORBIDDEN_V4.check(ipv4, 'ipv4'));
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
