/** The payload of a compact JWS, unverified: for assertions on what a token carries. */
export function decodeClaimsForTest(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}
