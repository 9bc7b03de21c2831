import ipaddr from 'ipaddr.js';

/**
 * The address a rate limit counts (docs/api.md, Brute-force protection). One IPv6 client holds a
 * whole /64 (often far more), so counting its single addresses would give it 2^64 fresh limits;
 * an IPv4 address reaching a dual-stack socket as `::ffff:a.b.c.d` is that IPv4 address. Anything
 * that does not parse (a unix socket's empty address) is counted as it came.
 */
export function limitedAddress(ip: string, ipv6Prefix: number): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip); // IPv4-mapped IPv6 → IPv4
  if (address.kind() === 'ipv4') return address.toString();
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${ipv6Prefix}`);
  return `${network.toString()}/${ipv6Prefix}`;
}
