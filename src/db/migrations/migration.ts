import type { QueryInterface } from 'sequelize';

/** What a migration may need besides the schema: the server's SECRET_KEY, to seal what it writes. */
export interface MigrationContext {
  /** The server's SECRET_KEY; every caller outside tests gives it (the configuration requires it). */
  secretKey?: string;
}

export interface Migration {
  name: string;
  up(queryInterface: QueryInterface, context: MigrationContext): Promise<void>;
  down(queryInterface: QueryInterface, context: MigrationContext): Promise<void>;
  /**
   * Each migration runs in one transaction with its schema_migrations row (db/migration-step.ts).
   * `false` runs it statement by statement instead, for what PostgreSQL refuses in a
   * transaction: CREATE INDEX CONCURRENTLY, which an index on a large table (users, sessions,
   * audit_log) must use so that writes go on while it builds (see ./concurrent-index.ts). Such a
   * migration holds nothing else, and must be safe to run again after being killed half-way.
   */
  transaction?: false;
}
