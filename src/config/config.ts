import { z } from 'zod';
import { parseDuration } from './duration';

/**
 * The configuration schema (docs/operations.md, Configuration). Every key is typed, described and
 * defaulted here; `.env.example` mirrors it. Values arrive as strings from the environment.
 */
const duration = (name: string) =>
  z.string().transform((text, ctx) => {
    const seconds = parseDuration(text.trim());
    if (seconds === undefined) {
      ctx.addIssue({ code: 'custom', message: `${name} must be a duration like 30s, 10m, 2h or 7d` });
      return z.NEVER;
    }
    return seconds;
  });

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((text) => ['true', '1', 'yes'].includes(text));

const byteSize = z.string().transform((text, ctx) => {
  const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(text.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: 'must be a size like 16kb, 1mb or a number of bytes' });
    return z.NEVER;
  }
  const unit = (match[2] ?? 'b').toLowerCase();
  return Number(match[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
});

/** A path relative to the folder of the `.env` read (or the working directory, without one). */
export const DEFAULT_DATABASE_URL = 'sqlite:./data/jawth.sqlite';

export const configSchema = z.object({
  SECRET_KEY: z
    .string({ message: 'is required: it signs admin tokens (run `jawth conf` to make one)' })
    .refine((v) => Buffer.byteLength(v, 'utf8') >= 32, 'must be at least 32 bytes (RFC 7518 §3.2)'),
  JAWTH_KEY: z
    .string({ message: 'is required: it is the master password of signed admin requests' })
    .min(12, 'must be at least 12 characters'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgres://')
    .default(DEFAULT_DATABASE_URL),
  PORT: integer(0, 65535).default(5000),
  HOST: z.string().min(1).default('127.0.0.1'),
  WORKERS: integer(1, 64).default(1),
  MIGRATE_ON_START: boolean.default(true),
  DATABASE_CONNECT_TIMEOUT: duration('DATABASE_CONNECT_TIMEOUT')
    .refine((seconds) => seconds >= 1, 'must be at least 1s')
    .default(5),
  DATABASE_STATEMENT_TIMEOUT: duration('DATABASE_STATEMENT_TIMEOUT').default(10),
  SHUTDOWN_TIMEOUT: duration('SHUTDOWN_TIMEOUT').default(10),
  BCRYPT_COST: integer(10, 15).default(12),
  BODY_LIMIT: byteSize.default(16 * 1024),
  PASSWORD_MIN_LENGTH: integer(1, 72).default(8),
  ADMIN_TOKEN_MAX_TTL: duration('ADMIN_TOKEN_MAX_TTL').default(5 * 60),
  ADMIN_ALLOW_NO_EXP: boolean.default(false),
  LOGIN_MAX_FAILURES: integer(1, 1000).default(5),
  LOGIN_LOCKOUT: duration('LOGIN_LOCKOUT').default(15 * 60),
  LOGIN_MAX_FAILURES_PER_IP: integer(1, 100000).default(100),
  RATE_LIMIT_IPV6_PREFIX: integer(32, 128).default(64),
  LOGIN_QUEUE_MAX: integer(1, 10000).default(8),
  REFRESH_REUSE_GRACE: duration('REFRESH_REUSE_GRACE').default(10),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis://')
    .optional(),
  CORS_ORIGINS: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .default([]),
  ISSUER: z.string().min(1).default('jawth'),
  AUDIT_RETENTION: duration('AUDIT_RETENTION').default(90 * 86400),
  WEBHOOK_RETRY_BASE: duration('WEBHOOK_RETRY_BASE')
    .refine((seconds) => seconds >= 1, 'must be at least 1s')
    .default(5),
  WEBHOOK_ALLOW_PRIVATE: boolean.default(false),
  WEBHOOK_DISABLE_AFTER: duration('WEBHOOK_DISABLE_AFTER')
    .refine((seconds) => seconds >= 3600, 'must be at least 1h')
    .default(5 * 86400),
  TRUST_PROXY: z
    .string()
    .transform((text): boolean | number | string => {
      const value = text.trim();
      if (['false', '0', 'no'].includes(value)) return false;
      if (['true', 'yes'].includes(value)) return true;
      return /^\d+$/.test(value) ? Number(value) : value;
    })
    .default(false),
  /** Mail of sign-up confirmations and password resets; unset: the events go to the application's webhooks. */
  SMTP_URL: z
    .string()
    .refine((text) => {
      try {
        return ['smtp:', 'smtps:'].includes(new URL(text).protocol);
      } catch {
        return false;
      }
    }, 'must be a URL like smtp://user:pass@host:587 or smtps://user:pass@host:465')
    .optional(),
  MAIL_FROM: z.string().min(3).default('jawth <no-reply@localhost>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: `pretty` when stdout is a terminal (a person reads it), else `json` (a collector does). */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
});

export type ConfigValues = z.infer<typeof configSchema>;

export interface Config {
  secretKey: string;
  jawthKey: string;
  databaseUrl: string;
  port: number;
  host: string;
  workers: number;
  migrateOnStart: boolean;
  /** Seconds: opening a connection, waiting for one from the pool, waiting for SQLite's lock. */
  databaseConnectTimeout: number;
  /** Seconds one statement of a request may run on PostgreSQL; 0 for no limit. */
  databaseStatementTimeout: number;
  /** Seconds SIGTERM waits for the requests in flight before giving up (exit 1). */
  shutdownTimeout: number;
  bcryptCost: number;
  bodyLimit: number;
  passwordMinLength: number;
  adminTokenMaxTtl: number;
  adminAllowNoExp: boolean;
  loginMaxFailures: number;
  loginLockout: number;
  loginMaxFailuresPerIp: number;
  /** The IPv6 prefix length one client is counted by (an IPv6 client holds a /64 or more). */
  rateLimitIpv6Prefix: number;
  /** Password checks one process admits at once, those in progress included; past it 503 overloaded. */
  loginQueueMax: number;
  refreshReuseGrace: number;
  redisUrl?: string;
  corsOrigins: string[];
  issuer: string;
  auditRetention: number;
  /** Seconds before a failed webhook delivery's first retry; each next one waits twice as long. */
  webhookRetryBase: number;
  /** Webhook URLs may reach private, loopback and link-local addresses (tests, a private network). */
  webhookAllowPrivate: boolean;
  /** Seconds an endpoint may fail without one delivery before it is disabled. */
  webhookDisableAfter: number;
  trustProxy: boolean | number | string;
  /** smtp:// or smtps://, with the credentials: never logged (see redactedSmtpUrl). */
  smtpUrl?: string;
  mailFrom: string;
  logLevel: string;
  logFormat?: 'json' | 'pretty';
  /** Which files the values came from, in words (set by whoever read them: the server, the CLI). */
  readFrom?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Validates raw key/value pairs; throws one ConfigError listing every problem at once. */
export function parseConfig(raw: Record<string, string | undefined>): Config {
  const known = Object.fromEntries(
    Object.keys(configSchema.shape)
      .filter((key) => raw[key] !== undefined && raw[key] !== '')
      .map((key) => [key, raw[key]]),
  );
  const result = configSchema.safeParse(known);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`));
  }
  const v = result.data;
  return {
    secretKey: v.SECRET_KEY,
    jawthKey: v.JAWTH_KEY,
    databaseUrl: v.DATABASE_URL,
    port: v.PORT,
    host: v.HOST,
    workers: v.WORKERS,
    migrateOnStart: v.MIGRATE_ON_START,
    databaseConnectTimeout: v.DATABASE_CONNECT_TIMEOUT,
    databaseStatementTimeout: v.DATABASE_STATEMENT_TIMEOUT,
    shutdownTimeout: v.SHUTDOWN_TIMEOUT,
    bcryptCost: v.BCRYPT_COST,
    bodyLimit: v.BODY_LIMIT,
    passwordMinLength: v.PASSWORD_MIN_LENGTH,
    adminTokenMaxTtl: v.ADMIN_TOKEN_MAX_TTL,
    adminAllowNoExp: v.ADMIN_ALLOW_NO_EXP,
    loginMaxFailures: v.LOGIN_MAX_FAILURES,
    loginLockout: v.LOGIN_LOCKOUT,
    loginMaxFailuresPerIp: v.LOGIN_MAX_FAILURES_PER_IP,
    rateLimitIpv6Prefix: v.RATE_LIMIT_IPV6_PREFIX,
    loginQueueMax: v.LOGIN_QUEUE_MAX,
    refreshReuseGrace: v.REFRESH_REUSE_GRACE,
    redisUrl: v.REDIS_URL,
    corsOrigins: v.CORS_ORIGINS,
    issuer: v.ISSUER,
    auditRetention: v.AUDIT_RETENTION,
    webhookRetryBase: v.WEBHOOK_RETRY_BASE,
    webhookAllowPrivate: v.WEBHOOK_ALLOW_PRIVATE,
    webhookDisableAfter: v.WEBHOOK_DISABLE_AFTER,
    trustProxy: v.TRUST_PROXY,
    smtpUrl: v.SMTP_URL,
    mailFrom: v.MAIL_FROM,
    logLevel: v.LOG_LEVEL,
    logFormat: v.LOG_FORMAT,
  };
}
