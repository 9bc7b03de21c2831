import { guardedLookup, isPrivateAddress, refusalOf } from '../../src/infra/webhook-address';

/**
 * Every spelling of a loopback or private target that some stack or translator routes to an
 * IPv4 host: the filter unwraps the IPv4 an IPv6 address carries and judges that. Nothing here
 * sends traffic: IP literals resolve locally.
 */
const PRIVATE_SPELLINGS = [
  ['IPv4-compatible loopback', '::7f00:1'],
  ['IPv4-compatible, dotted', '::127.0.0.1'],
  ['IPv4-compatible private', '::a00:1'],
  ['IPv4-mapped, hex', '::ffff:7f00:1'],
  ['IPv4-mapped metadata', '::ffff:169.254.169.254'],
  ['SIIT (IPv4-translated)', '::ffff:0:7f00:1'],
  ['NAT64 well-known prefix, loopback', '64:ff9b::7f00:1'],
  ['NAT64 well-known prefix, dotted private', '64:ff9b::192.168.1.1'],
  ['NAT64 local-use prefix', '64:ff9b:1::808:808'],
  ['NAT64 local-use prefix, other embedding', '64:ff9b:1:7f00:1::'],
  ['6to4 of loopback', '2002:7f00:1::1'],
  ['6to4 of a private network', '2002:c0a8:101::1'],
  ['6to4 of metadata', '2002:a9fe:a9fe::'],
  ['Teredo whose client is 127.0.0.1 (XOR)', '2001:0:4136:e378:8000:63bf:80ff:fffe'],
  ['Teredo whose client is 10.0.0.1 (XOR)', '2001:0:4136:e378:8000:63bf:f5ff:fffe'],
  ['Teredo whose server is private', '2001:0:a00:1::1'],
  ['the unspecified address', '::'],
  ['the unspecified address, long', '0:0:0:0:0:0:0:0'],
  ['loopback, long', '0:0:0:0:0:0:0:1'],
  ['link-local with a zone', 'fe80::1%eth0'],
  ['site-local', 'fec0::1'],
  ['discard-only', '100::1'],
] as const;

const PUBLIC_SPELLINGS = [
  ['a public IPv6', '2606:4700:4700::1111'],
  ['NAT64 of a public IPv4', '64:ff9b::808:808'],
  ['6to4 of a public IPv4', '2002:808:808::1'],
  ['Teredo with public server and client', '2001:0:4136:e378:8000:63bf:f7f7:f7f7'],
  ['IPv4-mapped public', '::ffff:8.8.8.8'],
] as const;

describe('webhook address filter: embedded IPv4 forms', () => {
  it.each(PRIVATE_SPELLINGS)('refuses %s (%s)', (_name, address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(PUBLIC_SPELLINGS)('allows %s (%s)', (_name, address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it.each(PRIVATE_SPELLINGS.filter(([, address]) => !address.includes('%')))(
    'refuses a webhook URL on %s when saving it',
    async (_name, address) => {
      const refusal = await refusalOf(new URL(`http://[${address}]:8080/hook`), false);
      expect(refusal).toMatch(/private or loopback/);
    },
  );

  it.each(['::7f00:1', '64:ff9b::a00:1', '2002:7f00:1::1', '2001:0:4136:e378:8000:63bf:80ff:fffe'])(
    'refuses %s at delivery, after resolution',
    async (address) => {
      const lookup = guardedLookup(false);
      const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
        lookup(address, {}, (failure) => resolve(failure)),
      );
      expect(error?.code).toBe('EPRIVATE');
    },
  );
});
