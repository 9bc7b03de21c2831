import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config/config';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What every service receives: passed in, so that tests swap the clock or the bcrypt cost. */
export interface Deps {
  db: Sequelize;
  config: Config;
  clock: Clock;
  logger: Logger;
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
