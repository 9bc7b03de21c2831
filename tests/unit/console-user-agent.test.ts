import { shortUserAgent } from '../../web/src/components/user-agent';

describe('the console’s short user agents', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox 128 on Linux'],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome 131 on Windows',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
      'Edge 131 on Windows',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'Safari 17 on iPhone',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      'Safari 18 on macOS',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36',
      'Chrome 130 on Android',
    ],
    ['curl/8.5.0', 'curl/8.5.0'],
    ['python-requests/2.31.0', 'python-requests/2.31.0'],
    ['Laptop/1.0', 'Laptop/1.0'],
  ])('%s → %s', (agent, short) => {
    expect(shortUserAgent(agent)).toBe(short);
  });

  it('names a missing agent and cuts an unknown long one to 40 characters', () => {
    expect(shortUserAgent(null)).toBe('Unknown client');
    expect(shortUserAgent('   ')).toBe('Unknown client');
    const long = shortUserAgent('Some Embedded Device Firmware Build 2026-11-30 rev 4411 (factory image)');
    expect(long).toBe('Some Embedded Device Firmware Build 202…');
    expect(long.length).toBeLessThanOrEqual(40);
  });
});
