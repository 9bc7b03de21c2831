import { Client } from 'pg';
import type { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { migrations } from './migrations';

// Any constant shared by every jawth instance: umzug has no lock of its own, so concurrent
// starts on PostgreSQL serialise on this advisory lock, held on a dedicated connection.
const MIGRATION_LOCK = 4_207_311;

export function createMigrator(sequelize: Sequelize, lockUrl?: string) {
  const umzug = new Umzug({
    migrations: migrations.map((m) => ({
      name: m.name,
      up: () => m.up(sequelize.getQueryInterface()),
      down: () => m.down(sequelize.getQueryInterface()),
    })),
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    context: sequelize.getQueryInterface(),
    logger: undefined,
  });
  if (sequelize.getDialect() === 'postgres' && lockUrl) {
    let client: Client | undefined;
    umzug.on('beforeCommand', async () => {
      client = new Client({ connectionString: lockUrl });
      await client.connect();
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    });
    umzug.on('afterCommand', async () => {
      await client?.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      await client?.end();
      client = undefined;
    });
  }
  return umzug;
}

/** Applies every pending migration; returns the names applied. */
export async function migrateUp(sequelize: Sequelize, lockUrl?: string): Promise<string[]> {
  const applied = await createMigrator(sequelize, lockUrl).up();
  return applied.map((m) => m.name);
}
