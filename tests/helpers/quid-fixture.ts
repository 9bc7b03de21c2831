import crypto from 'node:crypto';
import bcrypt from 'bcrypt';
import { Client } from 'pg';
import { encryptQuidValue } from '../../src/services/import/quid-crypto';

/** CI always runs PostgreSQL: the Quid side of the import tests uses it even when jawth's tests run on SQLite. */
export const QUID_PG_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

// Quid's tables, reduced to the columns the import reads plus the ones Quid has beside them.
const QUID_SCHEMA = `
CREATE TABLE namespace (
  id serial PRIMARY KEY, name varchar NOT NULL UNIQUE, key varchar NOT NULL, refresh_key varchar NOT NULL,
  max_token_ttl varchar NOT NULL DEFAULT '20m', max_refresh_token_ttl varchar NOT NULL DEFAULT '24h',
  public_endpoint_enabled boolean NOT NULL DEFAULT false);
CREATE TABLE usertable (
  id serial PRIMARY KEY, username varchar NOT NULL, password varchar NOT NULL,
  namespace_id integer NOT NULL REFERENCES namespace(id) ON DELETE CASCADE,
  is_disabled boolean NOT NULL DEFAULT false, date_created timestamp NOT NULL DEFAULT now(),
  UNIQUE (username, namespace_id));
CREATE TABLE grouptable (
  id serial PRIMARY KEY, name varchar NOT NULL,
  namespace_id integer NOT NULL REFERENCES namespace(id) ON DELETE CASCADE, UNIQUE (name, namespace_id));
CREATE TABLE orgtable (id serial PRIMARY KEY, name varchar NOT NULL UNIQUE);
CREATE TABLE usergroup (
  id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES usertable(id) ON DELETE CASCADE,
  group_id integer NOT NULL REFERENCES grouptable(id) ON DELETE CASCADE, UNIQUE (user_id, group_id));
CREATE TABLE userorg (
  id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES usertable(id) ON DELETE CASCADE,
  org_id integer NOT NULL REFERENCES orgtable(id) ON DELETE CASCADE, UNIQUE (user_id, org_id));
`;

export interface QuidFixtureUser {
  username: string;
  password: string;
  disabled?: boolean;
  groups?: string[];
  orgs?: string[];
}

export interface QuidFixtureNamespace {
  name: string;
  maxTokenTtl?: string;
  maxRefreshTokenTtl?: string;
  groups?: string[];
  users?: QuidFixtureUser[];
}

export interface QuidFixture {
  /** The Quid database as `--from` would name it (its own schema, through `options`). */
  url: string;
  /** The hex `key` of Quid's config.json. */
  quidKey: string;
  /** The plaintext namespace keys: what Quid signs access tokens with. */
  keys: Map<string, { key: string; refreshKey: string }>;
  drop(): Promise<void>;
}

/** A Quid-shaped database in a random schema, filled as Quid fills it (bcrypt cost 10, GCM keys). */
export async function createQuidFixture(namespaces: QuidFixtureNamespace[], orgs: string[]): Promise<QuidFixture> {
  const schema = `quid_test_${crypto.randomBytes(6).toString('hex')}`;
  const quidKey = crypto.randomBytes(32).toString('hex');
  const aesKey = Buffer.from(quidKey, 'hex');
  const keys = new Map<string, { key: string; refreshKey: string }>();
  const client = new Client({ connectionString: QUID_PG_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path = ${schema}`);
    await client.query(QUID_SCHEMA);
    const orgIds = new Map<string, number>();
    for (const org of orgs) {
      const { rows } = await client.query('INSERT INTO orgtable (name) VALUES ($1) RETURNING id', [org]);
      orgIds.set(org, rows[0].id as number);
    }
    for (const ns of namespaces) {
      // Quid's keys are 32 random bytes written as 64 hex characters, then encrypted.
      const plain = { key: crypto.randomBytes(32).toString('hex'), refreshKey: crypto.randomBytes(32).toString('hex') };
      keys.set(ns.name, plain);
      const { rows } = await client.query(
        `INSERT INTO namespace (name, key, refresh_key, max_token_ttl, max_refresh_token_ttl)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [
          ns.name,
          encryptQuidValue(plain.key, aesKey),
          encryptQuidValue(plain.refreshKey, aesKey),
          ns.maxTokenTtl ?? '20m',
          ns.maxRefreshTokenTtl ?? '24h',
        ],
      );
      const namespaceId = rows[0].id as number;
      const groupIds = new Map<string, number>();
      for (const group of ns.groups ?? []) {
        const inserted = await client.query(
          'INSERT INTO grouptable (name, namespace_id) VALUES ($1, $2) RETURNING id',
          [group, namespaceId],
        );
        groupIds.set(group, inserted.rows[0].id as number);
      }
      for (const user of ns.users ?? []) {
        const inserted = await client.query(
          'INSERT INTO usertable (username, password, namespace_id, is_disabled) VALUES ($1, $2, $3, $4) RETURNING id',
          [user.username, await bcrypt.hash(user.password, 10), namespaceId, user.disabled ?? false],
        );
        const userId = inserted.rows[0].id as number;
        for (const group of user.groups ?? []) {
          await client.query('INSERT INTO usergroup (user_id, group_id) VALUES ($1, $2)', [
            userId,
            groupIds.get(group),
          ]);
        }
        for (const org of user.orgs ?? []) {
          await client.query('INSERT INTO userorg (user_id, org_id) VALUES ($1, $2)', [userId, orgIds.get(org)]);
        }
      }
    }
  } finally {
    await client.end();
  }
  const url = new URL(QUID_PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    quidKey,
    keys,
    async drop() {
      const admin = new Client({ connectionString: QUID_PG_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** An access token as Quid signs it: HS256 with the namespace key's ASCII bytes as the HMAC key. */
export function quidAccessToken(key: string, claims: Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  const signature = crypto.createHmac('sha256', Buffer.from(key, 'ascii')).update(body).digest('base64url');
  return `${body}.${signature}`;
}
