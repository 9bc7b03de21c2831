import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, configSchema, parseConfig } from '../../src/config/config';

const KEYS = { SECRET_KEY: 's'.repeat(32), JAWTH_KEY: 'master-password' };

describe('operations settings', () => {
  it('default to keeping the audit log 90 days and trusting no proxy', () => {
    expect(parseConfig(KEYS)).toMatchObject({ auditRetention: 90 * 86400, trustProxy: false });
  });

  it.each([
    ['false', false],
    ['true', true],
    ['1', 1],
    ['2', 2],
    ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
  ])('TRUST_PROXY=%s becomes %p', (text, value) => {
    expect(parseConfig({ ...KEYS, TRUST_PROXY: text }).trustProxy).toEqual(value);
  });

  it('refuses an AUDIT_RETENTION that is not a duration', () => {
    expect(() => parseConfig({ ...KEYS, AUDIT_RETENTION: 'forever' })).toThrow(ConfigError);
    expect(parseConfig({ ...KEYS, AUDIT_RETENTION: '30d' }).auditRetention).toBe(30 * 86400);
  });

  it('.env.example lists every key of the schema', () => {
    const example = fs.readFileSync(path.resolve(__dirname, '../../.env.example'), 'utf8');
    for (const key of Object.keys(configSchema.shape)) expect(example).toMatch(new RegExp(`^#? ?${key}=`, 'm'));
  });
});
