import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { closeDataStore, dataStoreOf, type DataStore } from '../db/store';
import { ApplicationCache } from '../infra/application-cache';
import { UserCountCache } from '../infra/user-count-cache';
import { systemClock, type Clock } from '../infra/clock';

export { systemClock, type Clock } from '../infra/clock';

/** A database's repositories (db/store.ts) and what is cached from it, for this process. */
export interface Store extends DataStore {
  caches: { applications: ApplicationCache; userCounts: UserCountCache };
}

/** What every service receives: passed in, so that tests swap the clock or the bcrypt cost. */
export interface Deps extends Store {
  config: Config;
  clock: Clock;
  logger: Logger;
}

/** The store of a connection just opened, its caches reading `clock`; once per connection. */
export function storeOf(db: DataStore['db'], clock: Clock = systemClock): Store {
  const store = dataStoreOf(db);
  return {
    ...store,
    caches: { applications: new ApplicationCache(store.applications, clock), userCounts: new UserCountCache(clock) },
  };
}

/** Closes the readers and the writer, then the connection. */
export const closeStore = closeDataStore;

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
