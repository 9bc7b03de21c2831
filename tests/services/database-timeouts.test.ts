import { openDatabase } from '../../src/db/sequelize';
import { databaseUnavailable } from '../../src/http/middleware/unavailable';

// DATABASE_STATEMENT_TIMEOUT on a real PostgreSQL: a statement that runs too long is stopped by
// the server and maps to 503 (57014, query_canceled).
const PG_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

describe('PostgreSQL timeouts', () => {
  it('a statement longer than DATABASE_STATEMENT_TIMEOUT is cancelled, and that answers 503', async () => {
    const db = openDatabase(PG_URL, { timeouts: { connect: 5, statement: 1 } });
    try {
      const startedAt = Date.now();
      const error = await db.query('SELECT pg_sleep(5)').then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(Date.now() - startedAt).toBeLessThan(4000);
      expect(databaseUnavailable(error)).toBe('57014');
    } finally {
      await db.close();
    }
  });
});
