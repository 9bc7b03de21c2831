/**
 * docs/api.md, Operations endpoints: a request that fails because the database or its disk is unavailable answers
 * 503 service_unavailable with Retry-After, never 500. This tells those failures apart from bugs
 * by what the driver reports, through Sequelize's wrappers (`parent`, `original`) and `cause`.
 */

import { errorChain } from '../../errors';

/** Seconds a client should wait before trying again. */
export const UNAVAILABLE_RETRY_AFTER = 5;

// Sequelize's names for "no connection": refused, timed out, pool exhausted, host gone; and its
// TimeoutError, which is SQLITE_BUSY after the busy timeout.
const SEQUELIZE_NAMES = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionTimedOutError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeHostNotFoundError',
  'SequelizeHostNotReachableError',
  'SequelizeInvalidConnectionError',
  'SequelizeAccessDeniedError',
  'SequelizeTimeoutError',
]);

// node-sqlite3's codes: locked, disk full, I/O error, read-only file or folder, cannot open.
const SQLITE_CODES = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|PROTOCOL)/;

// Node's socket and file-system errors.
const SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'EIO',
]);

// PostgreSQL SQLSTATEs: connection exception (08), insufficient resources (53: disk full, out of
// memory, too many connections), shutting down or starting (57P01-57P03), statement_timeout
// (57014), read-only standby (25006), lock_timeout (55P03).
const PG_STATES = /^(08...|53...|57P0[123]|57014|25006|55P03)$/;

// pg's own words for a server that stopped answering (query_timeout, connectionTimeoutMillis)
// or a connection it broke: "Connection terminated (unexpectedly)", and a query on such a
// client, "Client has encountered a connection error and is not queryable" (or "was closed").
const PG_MESSAGES = /Query read timeout|Connection terminated|timeout exceeded when trying to connect|is not queryable/;

/** Why the database is unavailable ("SQLITE_FULL", "ECONNREFUSED", ...), or undefined for any other error. */
export function databaseUnavailable(error: unknown): string | undefined {
  const links = errorChain(error);
  // The driver's code says more than the wrapper's name: look for it first.
  for (const { code, message } of links) {
    if (typeof code === 'string' && (SQLITE_CODES.test(code) || SYSTEM_CODES.has(code) || PG_STATES.test(code))) {
      return code;
    }
    if (typeof message === 'string' && PG_MESSAGES.test(message)) return message;
  }
  const named = links.find(({ name }) => typeof name === 'string' && SEQUELIZE_NAMES.has(name));
  return named ? String(named.name) : undefined;
}
