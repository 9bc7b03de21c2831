/** Browsers in the order to test them: Edge and Opera also say "Chrome", Chrome also says "Safari". */
const BROWSERS: Array<[name: string, pattern: RegExp]> = [
  ['Edge', /\bEdg(?:e|A|iOS)?\/(\d+)/],
  ['Opera', /\bOPR\/(\d+)/],
  ['Samsung Internet', /\bSamsungBrowser\/(\d+)/],
  ['Firefox', /\b(?:Firefox|FxiOS)\/(\d+)/],
  ['Chrome', /\b(?:Chrome|CriOS)\/(\d+)/],
  ['Safari', /\bVersion\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//],
];

/** Systems in the order to test them: iPads say "like Mac OS X", Android says "Linux". */
const SYSTEMS: Array<[name: string, pattern: RegExp]> = [
  ['iPhone', /\biPhone\b/],
  ['iPad', /\biPad\b/],
  ['Android', /\bAndroid\b/],
  ['Windows', /\bWindows\b/],
  ['ChromeOS', /\bCrOS\b/],
  ['macOS', /\bMac OS X\b|\bMacintosh\b/],
  ['Linux', /\bLinux\b/],
];

const MAX_LENGTH = 40;

/**
 * A user agent in a few words, e.g. "Firefox 128 on Linux" or "curl/8.5.0"; anything else is cut
 * to 40 characters. The full string stays available to the reader (as a title) wherever this is shown.
 */
export function shortUserAgent(userAgent: string | null): string {
  const text = userAgent?.trim() ?? '';
  if (!text) return 'Unknown client';
  const system = SYSTEMS.find(([, pattern]) => pattern.test(text))?.[0];
  for (const [name, pattern] of BROWSERS) {
    const match = pattern.exec(text);
    if (match) return `${name} ${match[1]}${system ? ` on ${system}` : ''}`;
  }
  // Libraries and tools name themselves first: "curl/8.5.0", "python-requests/2.31.0".
  const product = /^[\w.-]+\/[\w.-]+$/.exec(text.split(/\s/)[0] ?? '');
  if (product && !text.startsWith('Mozilla/')) return product[0].slice(0, MAX_LENGTH);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1).trimEnd()}…` : text;
}
