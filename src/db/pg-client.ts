import type * as Pg from 'pg';

type PgModule = typeof Pg;
let guarded: PgModule | undefined;

/**
 * node-postgres, handed to Sequelize as its `dialectModule`, whose clients listen for 'error'
 * from birth. A client's 'error' event with no listener ends the process, and Sequelize 6
 * attaches its listener only once connect() has resolved (sequelize#15883): a FATAL that arrives
 * with ReadyForQuery (pg_terminate_backend, a failover proxy, a server shutting down) had none.
 * The listener marks the client invalid, which Sequelize's pool checks before it hands a client
 * out: a broken connection fails its one request (503) and is destroyed, never reused.
 * Loaded on demand: a SQLite server never loads pg (~4 MB, bench/README.md, idle).
 */
export function guardedPg(): PgModule {
  if (guarded) return guarded;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require('pg') as PgModule;
  class Client extends pg.Client {
    constructor(config?: string | Pg.ClientConfig) {
      super(config);
      this.on('error', () => {
        (this as unknown as { _invalid: boolean })._invalid = true;
      });
    }
  }
  // Everything else (types, Pool, defaults) as pg has it.
  guarded = Object.create(pg, { Client: { value: Client, enumerable: true } }) as PgModule;
  return guarded;
}
