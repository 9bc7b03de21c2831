import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, parseConfig } from '../../src/config/config';
import { formatDuration, parseDuration } from '../../src/config/duration';
import { loadConfigSources } from '../../src/config/sources';

const KEYS = { SECRET_KEY: 's'.repeat(32), JAWTH_KEY: 'master-password' };

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    expect(parseConfig(KEYS)).toMatchObject({
      databaseUrl: 'sqlite:./data/jawth.sqlite',
      port: 5000,
      host: '127.0.0.1',
      workers: 1,
      migrateOnStart: true,
      bcryptCost: 12,
      bodyLimit: 16384,
      passwordMinLength: 8,
      adminTokenMaxTtl: 300,
      adminAllowNoExp: false,
      loginMaxFailures: 5,
      loginLockout: 900,
      loginMaxFailuresPerIp: 100,
      refreshReuseGrace: 10,
      corsOrigins: [],
      issuer: 'jawth',
      logLevel: 'info',
    });
  });

  it('lists every problem at once, one line each', () => {
    try {
      parseConfig({
        SECRET_KEY: 'short',
        BCRYPT_COST: '9',
        LOGIN_LOCKOUT: 'forever',
        DATABASE_URL: 'mysql://x',
        PORT: 'http',
      });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(6);
      for (const key of ['SECRET_KEY', 'JAWTH_KEY', 'BCRYPT_COST', 'LOGIN_LOCKOUT', 'DATABASE_URL', 'PORT']) {
        expect(problems.some((line) => line.startsWith(key))).toBe(true);
      }
    }
  });

  it('reads sizes, booleans, durations and origin lists', () => {
    const config = parseConfig({
      ...KEYS,
      BODY_LIMIT: '1mb',
      ADMIN_ALLOW_NO_EXP: 'true',
      ADMIN_TOKEN_MAX_TTL: '2m',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config).toMatchObject({
      bodyLimit: 1048576,
      adminAllowNoExp: true,
      adminTokenMaxTtl: 120,
      corsOrigins: ['https://a.example', 'https://b.example'],
    });
  });
});

describe('loadConfigSources', () => {
  it('prefers the environment, then .env, then the JAWTH_CONFIG file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-config-'));
    fs.writeFileSync(path.join(dir, '.env'), 'PORT=6000\nISSUER=from-dotenv\nJAWTH_CONFIG=config.json\n');
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ PORT: 7000, ISSUER: 'from-file', HOST: '0.0.0.0' }),
    );
    const values = loadConfigSources({ PORT: '5001' }, dir).values;
    expect(values).toMatchObject({ PORT: '5001', ISSUER: 'from-dotenv', HOST: '0.0.0.0' });
  });

  it('finds the nearest .env above the working directory, as the server and the CLI both do, and names it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-config-'));
    fs.writeFileSync(path.join(dir, '.env'), 'ISSUER=from-parent\n');
    const deep = path.join(dir, 'a', 'b');
    fs.mkdirSync(deep, { recursive: true });
    const sources = loadConfigSources({}, deep);
    expect(sources.values.ISSUER).toBe('from-parent');
    expect(sources.readFrom).toBe(`the environment and ${path.join(dir, '.env')}`);
    expect(sources.origin.ISSUER).toBe(path.join(dir, '.env'));
    // Its SQLite database is the one beside it, from any folder below.
    expect(sources.values.DATABASE_URL).toBe(`sqlite:${path.join(dir, 'data', 'jawth.sqlite')}`);
    fs.writeFileSync(path.join(dir, '.env'), 'DATABASE_URL=sqlite:db/mine.sqlite\n');
    expect(loadConfigSources({}, deep).values.DATABASE_URL).toBe(`sqlite:${path.join(dir, 'db', 'mine.sqlite')}`);
    // A URL from the environment is the caller's: left as given.
    expect(loadConfigSources({ DATABASE_URL: 'sqlite:rel.sqlite' }, deep).values.DATABASE_URL).toBe(
      'sqlite:rel.sqlite',
    );
  });

  it('says where it looked when there is no .env', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-config-none-'));
    const sources = loadConfigSources({}, dir);
    expect(sources.readFrom).toBe(`the environment (no .env in ${dir} or a folder above it)`);
  });
});

describe('durations', () => {
  it.each([
    ['30s', 30],
    ['10m', 600],
    ['2h', 7200],
    ['7d', 604800],
  ])('%s is %i seconds and formats back', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
    expect(formatDuration(seconds)).toBe(text);
  });

  it.each(['', '10', 'm', '1.5h', '-1m', '10 m', '1w'])('%p is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
