import { limitedAddress } from '../../src/infra/ip-prefix';

describe('the address a rate limit counts', () => {
  it.each([
    ['an IPv4 address', '203.0.113.7', '203.0.113.7'],
    ['an IPv4-mapped IPv6 address', '::ffff:203.0.113.7', '203.0.113.7'],
    ['an IPv4-mapped IPv6 address in hex', '::ffff:cb00:7107', '203.0.113.7'],
    ['an IPv4-mapped IPv6 address written in full', '0:0:0:0:0:ffff:cb00:7107', '203.0.113.7'],
    ['an IPv6 address', '2001:db8:bb:2::1', '2001:db8:bb:2::/64'],
    ['another address of the same /64', '2001:db8:bb:2:ffff:1:2:19', '2001:db8:bb:2::/64'],
    ['the same /64 in capitals and full', '2001:0DB8:00BB:0002:0000:0000:0000:0019', '2001:db8:bb:2::/64'],
    ['IPv6 loopback', '::1', '::/64'],
    ['a zoned link-local address', 'fe80::1%eth0', 'fe80::/64'],
    ['something that is not an address', 'unknown', 'unknown'],
  ])('%s (%s) counts as %s', (_what, ip, counted) => {
    expect(limitedAddress(ip, 64)).toBe(counted);
  });

  it('keeps two /64s apart, and follows the configured prefix', () => {
    expect(limitedAddress('2001:db8:bb:3::1', 64)).not.toBe(limitedAddress('2001:db8:bb:2::1', 64));
    expect(limitedAddress('2001:db8:bb:3::1', 48)).toBe(limitedAddress('2001:db8:bb:2::1', 48));
    expect(limitedAddress('2001:db8:bb:2::1', 128)).not.toBe(limitedAddress('2001:db8:bb:2::2', 128));
  });
});
