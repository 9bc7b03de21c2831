/**
 * The most common passwords, from zxcvbn-ts's frequency list (MIT, ~49,000 entries drawn from
 * public breach corpora). Loaded once, on first use, into a Set; compared case-insensitively.
 */
let common: Set<string> | undefined;

function load(): Set<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const list = require('@zxcvbn-ts/language-common/src/passwords.json') as string[];
  return new Set(list.map((word) => word.toLowerCase()));
}

export function isCommonPassword(password: string): boolean {
  common ??= load();
  return common.has(password.toLowerCase());
}

export function commonPasswordCount(): number {
  common ??= load();
  return common.size;
}
