/**
 * When an access token was issued and expires, read from its payload without verifying it: the
 * client holds no secret, it only needs to know when to renew. The API still verifies the token.
 */
export function tokenTimes(token: string, nowSeconds: number, expiresIn?: number): { iat: number; exp: number } {
  const claims = decodePayload(token);
  const exp = numeric(claims.exp) ?? (expiresIn === undefined ? nowSeconds : nowSeconds + expiresIn);
  const iat = numeric(claims.iat) ?? nowSeconds;
  return { iat: Math.min(iat, exp), exp };
}

function decodePayload(token: string): Record<string, unknown> {
  try {
    const segment = token.split('.')[1] ?? '';
    const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function numeric(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
