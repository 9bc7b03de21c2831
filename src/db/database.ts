import { Sequelize } from 'sequelize';

/**
 * What this process keeps about one database besides Sequelize's own state. It is held by the
 * connection, never in a module, so that two databases open in one process (an export from one
 * into another, the tests) share none of it. Every connection is opened by `openDatabase`
 * (db/sequelize.ts), which makes it a `Database`.
 */
export interface ConnectionState {
  /** The last SQLite write this process queued (db/transaction.ts): each waits for the one before. */
  lastWrite: Promise<unknown>;
  /** SQLite's busy timeout in ms, for the connections opened beside Sequelize's (sqlite-readers.ts, sqlite-writer.ts). */
  busyTimeoutMs?: number;
  /** Who in this process is told of what happened in this database (`subscribe`, `publish`). */
  subscribers: Map<string, Set<() => void>>;
}

/** A Sequelize connection with the state this process keeps for its database. */
export class Database extends Sequelize {
  readonly local: ConnectionState = { lastWrite: Promise.resolve(), subscribers: new Map() };
}

/** The state of a connection opened by `openDatabase`. */
export function stateOf(db: Sequelize): ConnectionState {
  if (db instanceof Database) return db.local;
  throw new Error('this connection was not opened by openDatabase (db/sequelize.ts)');
}

/** Calls `listener` after each `publish(db, topic)` in this process; returns an unsubscribe. */
export function subscribe(db: Sequelize, topic: string, listener: () => void): () => void {
  const { subscribers } = stateOf(db);
  const set = subscribers.get(topic) ?? new Set<() => void>();
  subscribers.set(topic, set);
  set.add(listener);
  return () => set.delete(listener);
}

/** Tells this process's subscribers to `topic` on this database. */
export function publish(db: Sequelize, topic: string): void {
  for (const listener of stateOf(db).subscribers.get(topic) ?? []) listener();
}

/** The functions of a raw-SQL module that take the connection first, as methods with it bound. */
export type BoundToDb<T> = {
  [K in keyof T]: T[K] extends (db: Sequelize, ...args: infer A) => infer R ? (...args: A) => R : never;
};

/** A repository from a module's functions of `(db, ...)`: each is called with this connection. */
export function bindToDb<T extends Record<string, (db: Sequelize, ...args: never) => unknown>>(
  db: Sequelize,
  functions: T,
): BoundToDb<T> {
  const bound = Object.entries(functions).map(([name, f]) => {
    const call = f as (db: Sequelize, ...args: unknown[]) => unknown;
    return [name, (...args: unknown[]) => call(db, ...args)];
  });
  return Object.fromEntries(bound) as BoundToDb<T>;
}
