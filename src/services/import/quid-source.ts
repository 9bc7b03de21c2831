import { Client } from 'pg';

export interface QuidNamespace {
  id: number;
  name: string;
  key: string;
  refreshKey: string;
  maxTokenTtl: string;
  maxRefreshTokenTtl: string;
}

export interface QuidUser {
  id: number;
  username: string;
  password: string;
  isDisabled: boolean;
  dateCreated: Date | null;
}

export interface QuidNamed {
  id: number;
  name: string;
}

export interface QuidLink {
  userId: number;
  targetId: number;
}

/** Quid's tables that the import reads. */
const QUID_TABLES = ['namespace', 'usertable', 'grouptable', 'orgtable', 'usergroup', 'userorg'];

/** Refuses, in words, a database that is not Quid's (rather than `relation "namespace" does not exist`). */
async function assertQuidTables(client: Client, url: string): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    'SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NULL',
    [QUID_TABLES],
  );
  if (rows.length === 0) return;
  const where = new URL(url);
  throw new Error(
    `${where.host}${where.pathname} is not a Quid database: it has no ${rows.map((r) => `"${r.name}"`).join(', ')} table. ` +
      'Pass --from the database of Quid\'s config.json (its "conn").',
  );
}

/**
 * A Quid database, read in one read-only transaction (a consistent snapshot that cannot write,
 * whatever this code does), closed by `close()`.
 */
export class QuidSource {
  private constructor(private readonly client: Client) {}

  static async open(url: string): Promise<QuidSource> {
    const client = new Client({ connectionString: url });
    // A connection that breaks (the Quid server restarted) fails the query in flight, which says
    // so; without a listener its 'error' event would end the import with a stack trace.
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await assertQuidTables(client, url);
    } catch (error) {
      await client.end();
      throw error;
    }
    return new QuidSource(client);
  }

  async namespaces(): Promise<QuidNamespace[]> {
    const { rows } = await this.client.query(
      `SELECT id, name, key, refresh_key, max_token_ttl, max_refresh_token_ttl FROM namespace ORDER BY id`,
    );
    return rows.map((r) => ({
      id: Number(r.id),
      name: String(r.name),
      key: String(r.key),
      refreshKey: String(r.refresh_key),
      maxTokenTtl: String(r.max_token_ttl),
      maxRefreshTokenTtl: String(r.max_refresh_token_ttl),
    }));
  }

  async orgs(): Promise<QuidNamed[]> {
    const { rows } = await this.client.query('SELECT id, name FROM orgtable ORDER BY id');
    return rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
  }

  async users(namespaceId: number): Promise<QuidUser[]> {
    const { rows } = await this.client.query(
      'SELECT id, username, password, is_disabled, date_created FROM usertable WHERE namespace_id = $1 ORDER BY id',
      [namespaceId],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      username: String(r.username),
      password: String(r.password),
      isDisabled: r.is_disabled === true,
      dateCreated: r.date_created instanceof Date ? r.date_created : null,
    }));
  }

  async groups(namespaceId: number): Promise<QuidNamed[]> {
    const { rows } = await this.client.query('SELECT id, name FROM grouptable WHERE namespace_id = $1 ORDER BY id', [
      namespaceId,
    ]);
    return rows.map((r) => ({ id: Number(r.id), name: String(r.name) }));
  }

  async userGroups(namespaceId: number): Promise<QuidLink[]> {
    const { rows } = await this.client.query(
      `SELECT ug.user_id, ug.group_id FROM usergroup ug
         JOIN usertable u ON u.id = ug.user_id WHERE u.namespace_id = $1`,
      [namespaceId],
    );
    return rows.map((r) => ({ userId: Number(r.user_id), targetId: Number(r.group_id) }));
  }

  async userOrgs(namespaceId: number): Promise<QuidLink[]> {
    const { rows } = await this.client.query(
      `SELECT uo.user_id, uo.org_id FROM userorg uo
         JOIN usertable u ON u.id = uo.user_id WHERE u.namespace_id = $1`,
      [namespaceId],
    );
    return rows.map((r) => ({ userId: Number(r.user_id), targetId: Number(r.org_id) }));
  }

  async close(): Promise<void> {
    try {
      await this.client.query('ROLLBACK');
    } finally {
      await this.client.end();
    }
  }
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Quid's durations: `20m`, `24h`, and Go's compound spelling (`1h30m`, `72h0m0s`). */
export function parseQuidDuration(text: string): number | undefined {
  if (!/^(?:\d{1,9}[smhd])+$/.test(text)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhd])/g)) seconds += Number(amount) * UNIT_SECONDS[unit];
  return seconds > 0 ? seconds : undefined;
}
