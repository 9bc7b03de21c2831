import {
  ConnectionAcquireTimeoutError,
  ConnectionError,
  ConnectionRefusedError,
  DatabaseError,
  TimeoutError,
  UniqueConstraintError,
  ValidationError,
} from 'sequelize';
import { databaseUnavailable } from '../../src/http/middleware/unavailable';

const driverError = (code: string, message = code) => Object.assign(new Error(message), { code, sql: 'SELECT 1' });

describe('databaseUnavailable: which failures answer 503', () => {
  it.each([
    ['connection refused', new ConnectionRefusedError(driverError('ECONNREFUSED')), 'ECONNREFUSED'],
    [
      'connect timeout',
      new ConnectionError(new Error('Connection terminated due to connection timeout')),
      'Connection terminated due to connection timeout',
    ],
    [
      'pool exhausted',
      new ConnectionAcquireTimeoutError(new Error('timeout')),
      'SequelizeConnectionAcquireTimeoutError',
    ],
    ['SQLite busy', new TimeoutError(driverError('SQLITE_BUSY', 'SQLITE_BUSY: database is locked')), 'SQLITE_BUSY'],
    ['SQLite full', new DatabaseError(driverError('SQLITE_FULL')), 'SQLITE_FULL'],
    ['SQLite I/O', new DatabaseError(driverError('SQLITE_IOERR')), 'SQLITE_IOERR'],
    ['SQLite read-only, raw from node-sqlite3', driverError('SQLITE_READONLY'), 'SQLITE_READONLY'],
    ['PostgreSQL statement_timeout', new DatabaseError(driverError('57014')), '57014'],
    ['PostgreSQL shutting down', new DatabaseError(driverError('57P01')), '57P01'],
    ['PostgreSQL too many connections', new ConnectionError(driverError('53300')), '53300'],
    [
      'pg query_timeout',
      new DatabaseError(Object.assign(new Error('Query read timeout'), { sql: 'SELECT 1' })),
      'Query read timeout',
    ],
    [
      'pg, a query on a client whose connection broke',
      new DatabaseError(
        Object.assign(new Error('Client has encountered a connection error and is not queryable'), { sql: 'SELECT 1' }),
      ),
      'Client has encountered a connection error and is not queryable',
    ],
    [
      'pg, a connection the server terminated',
      new ConnectionError(new Error('Connection terminated unexpectedly')),
      'Connection terminated unexpectedly',
    ],
    ['disk full, as a cause', new Error('write failed', { cause: driverError('ENOSPC') }), 'ENOSPC'],
  ])('%s', (_name, error, reason) => {
    expect(databaseUnavailable(error)).toBe(reason);
  });

  it.each([
    ['a bug', new TypeError('undefined is not a function')],
    ['a unique violation', new UniqueConstraintError({})],
    ['a validation error', new ValidationError('bad', [])],
    ['a syntax error in SQL', new DatabaseError(driverError('SQLITE_ERROR'))],
    ['not an error at all', 'text'],
  ])('%s is not', (_name, error) => {
    expect(databaseUnavailable(error)).toBeUndefined();
  });
});
