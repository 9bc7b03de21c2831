import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config/config';
import { applicationRepository, type ApplicationRepository } from '../db/application.repository';
import { groupRepository, type GroupRepository } from '../db/group.repository';
import { auditRepository, type AuditRepository } from '../db/audit.repository';
import { bindModels, type Models } from '../db/models';
import { sessionRepository, type SessionRepository } from '../db/session.repository';
import { userRepository, type UserRepository } from '../db/user.repository';
import { SqliteReaders } from '../db/sqlite-readers';
import { SqliteWriter } from '../db/sqlite-writer';
import { ApplicationCache } from '../infra/application-cache';
import { UserCountCache } from '../infra/user-count-cache';
import { systemClock, type Clock } from '../infra/clock';

export { systemClock, type Clock } from '../infra/clock';

/**
 * One database: its connection, the model classes bound to it (per connection, so that the
 * "repository" of an aggregate is simply `models.User` and its queries keep their Sequelize
 * types), the read-only SQLite connections of the token hot path, and what is cached from it.
 * Everything a service reads or writes goes through these, never through module state: one
 * process can hold two databases at once (an export from one into another, a test).
 */
export interface Store {
  db: Sequelize;
  models: Models;
  applications: ApplicationRepository;
  users: UserRepository;
  groups: GroupRepository;
  sessions: SessionRepository;
  audit: AuditRepository;
  readers: SqliteReaders;
  /** The SQLite file's connection for the refresh rotation's transaction (sqlite-writer.ts). */
  writer: SqliteWriter;
  caches: { applications: ApplicationCache; userCounts: UserCountCache };
}

/** What every service receives: passed in, so that tests swap the clock or the bcrypt cost. */
export interface Deps extends Store {
  config: Config;
  clock: Clock;
  logger: Logger;
}

/** Binds models, readers and caches (reading `clock`) to a connection just opened; once per connection. */
export function storeOf(db: Sequelize, clock: Clock = systemClock): Store {
  const models = bindModels(db);
  const applications = applicationRepository(models.Application);
  const readers = new SqliteReaders(db);
  const writer = new SqliteWriter(db);
  return {
    db,
    models,
    applications,
    users: userRepository(db, models),
    groups: groupRepository(db, models),
    sessions: sessionRepository({ db, models, readers, writer }),
    audit: auditRepository(models),
    readers,
    writer,
    caches: { applications: new ApplicationCache(applications, clock), userCounts: new UserCountCache(clock) },
  };
}

/** Closes the readers and the writer, then the connection. */
export async function closeStore(store: Pick<Store, 'db' | 'readers' | 'writer'>): Promise<void> {
  await Promise.all([store.readers.close(), store.writer.close()]);
  await store.db.close();
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
