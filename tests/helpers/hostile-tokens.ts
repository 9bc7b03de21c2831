import crypto from 'node:crypto';

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const hmac = (alg: 'sha256' | 'sha384' | 'sha512', input: string, key: string | Buffer) =>
  crypto.createHmac(alg, key).update(input).digest('base64url');

/** A token with any header and payload, HMAC-signed by hand so that nothing normalises it. */
export function handmade(
  header: object,
  payload: unknown,
  key: string | Buffer,
  alg: 'sha256' | 'sha384' | 'sha512' = 'sha256',
) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${hmac(alg, input, key)}`;
}

/**
 * Every shape the verifier rejects (docs/libraries.md), each built around claims that would
 * otherwise be accepted, signed with the right secret where a signature applies.
 */
export function hostileTokens(claims: Record<string, unknown>, secret: string): [string, string][] {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const rsInput = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}`;
  const rs256 = `${rsInput}.${crypto.sign('sha256', Buffer.from(rsInput), privateKey).toString('base64url')}`;
  const good = handmade({ alg: 'HS256', typ: 'JWT' }, claims, secret);
  const [h, p, s] = good.split('.');
  return [
    ...['none', 'None', 'NONE', 'nOnE'].map((alg): [string, string] => [
      `alg ${alg}`,
      `${b64({ alg, typ: 'JWT' })}.${b64(claims)}.`,
    ]),
    ['alg none with a signature', `${b64({ alg: 'none' })}.${b64(claims)}.${s}`],
    ['HS384', handmade({ alg: 'HS384', typ: 'JWT' }, claims, secret, 'sha384')],
    ['HS512', handmade({ alg: 'HS512', typ: 'JWT' }, claims, secret, 'sha512')],
    ['RS256 signed with a private key', rs256],
    ['RS256 header, HMAC with the public key (key confusion)', handmade({ alg: 'RS256' }, claims, publicPem)],
    ['HS256 with the public key as HMAC secret', handmade({ alg: 'HS256' }, claims, publicPem)],
    ['ES256 header', handmade({ alg: 'ES256' }, claims, secret)],
    ['empty signature', `${h}.${p}.`],
    ['truncated signature', `${h}.${p}.${s.slice(0, 20)}`],
    ['two segments', `${h}.${p}`],
    ['jku header', handmade({ alg: 'HS256', jku: 'https://evil.example/jwks' }, claims, secret)],
    ['x5u header', handmade({ alg: 'HS256', x5u: 'https://evil.example/cert' }, claims, secret)],
    ['jwk header', handmade({ alg: 'HS256', jwk: { kty: 'oct', k: b64('attacker') } }, claims, secret)],
    ['crit header', handmade({ alg: 'HS256', crit: ['exp'] }, claims, secret)],
    ['string exp', handmade({ alg: 'HS256' }, { ...claims, exp: String(claims.exp) }, secret)],
    ['string nbf', handmade({ alg: 'HS256' }, { ...claims, nbf: '0' }, secret)],
    ['string iat', handmade({ alg: 'HS256' }, { ...claims, iat: 'now' }, secret)],
    ['array payload', handmade({ alg: 'HS256' }, [claims], secret)],
    ['string payload', handmade({ alg: 'HS256' }, '"just a string"', secret)],
    ['number payload', handmade({ alg: 'HS256' }, '42', secret)],
    ['payload that is not JSON', handmade({ alg: 'HS256' }, 'not json', secret)],
    ['token over 8 kB', handmade({ alg: 'HS256' }, { ...claims, pad: 'x'.repeat(9000) }, secret)],
    ['garbage', 'this.is.not-a-jwt!'],
  ];
}
