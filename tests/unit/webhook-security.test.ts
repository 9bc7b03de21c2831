import { Webhook } from 'standardwebhooks';
import { isPrivateAddress } from '../../src/infra/webhook-address';
import { newWebhookSecret, signWebhook } from '../../src/crypto/webhook-signature';
import { open, seal, SECOND_FACTOR_SECRETS, WEBHOOK_SECRETS } from '../../src/crypto/secret-box';

const SECRET_KEY = 'a-secret-key-that-is-at-least-32-bytes-long';

describe('isPrivateAddress (the SSRF guard)', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fd12:3456::1',
    'fc00::1',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    'not-an-address',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows %s',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );
});

describe('webhook signatures', () => {
  it('signs exactly as the standardwebhooks package does, and it verifies', () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ type: 'user.created', timestamp: new Date().toISOString(), data: { app: 'shop' } });
    const now = new Date();
    const timestamp = Math.floor(now.getTime() / 1000);
    const signature = signWebhook(secret, 'msg_1', timestamp, body);
    expect(signature).toBe(new Webhook(secret).sign('msg_1', now, body));
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });

  it('seals webhook secrets under a key of their own: a second-factor key cannot open them', () => {
    const sealed = seal('whsec_x', SECRET_KEY, WEBHOOK_SECRETS);
    expect(open(sealed, SECRET_KEY, WEBHOOK_SECRETS)).toBe('whsec_x');
    expect(() => open(sealed, SECRET_KEY, SECOND_FACTOR_SECRETS)).toThrow();
    expect(() => open(sealed, SECRET_KEY)).toThrow();
  });
});
