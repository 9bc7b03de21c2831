import type { Sequelize } from 'sequelize';
import { applicationRepository, type ApplicationRepository } from './application.repository';
import { applicationKeyRepository, type ApplicationKeyRepository } from './application-key.repository';
import { auditRepository, type AuditRepository } from './audit.repository';
import { groupRepository, type GroupRepository } from './group.repository';
import { oneUseTokenRepository, type OneUseTokenRepository } from './one-use-token.repository';
import { secondFactorRepository, type SecondFactorRepository } from './second-factor.repository';
import { mailOutboxRepository, type MailOutboxRepository } from './mail-outbox.repository';
import { bindModels, type Models } from './models';
import { sessionRepository, type SessionRepository } from './session.repository';
import { signupRepository, type SignupRepository } from './signup.repository';
import { SqliteReaders } from './sqlite-readers';
import { SqliteWriter } from './sqlite-writer';
import { statsRepository, type StatsRepository } from './stats.repository';
import { userRepository, type UserRepository } from './user.repository';
import { deliveryRepository, type DeliveryRepository } from './webhook-delivery.repository';
import { webhookRepository, type WebhookRepository } from './webhook.repository';

/**
 * One database: its connection, a repository per aggregate made for it, and the read-only SQLite
 * connections of the token hot path. Everything is made once per connection and held here, never
 * in module state: one process can hold two databases at once (an export from one into another,
 * a test).
 */
export interface DataStore {
  db: Sequelize;
  models: Models;
  applications: ApplicationRepository;
  applicationKeys: ApplicationKeyRepository;
  users: UserRepository;
  groups: GroupRepository;
  sessions: SessionRepository;
  signups: SignupRepository;
  audit: AuditRepository;
  oneUseTokens: OneUseTokenRepository;
  secondFactors: SecondFactorRepository;
  stats: StatsRepository;
  webhooks: WebhookRepository;
  deliveries: DeliveryRepository;
  mailOutbox: MailOutboxRepository;
  readers: SqliteReaders;
  /** The SQLite file's connection for the refresh rotation's transaction (sqlite-writer.ts). */
  writer: SqliteWriter;
}

/** The repositories of a connection just opened; once per connection. */
export function dataStoreOf(db: Sequelize): DataStore {
  const models = bindModels(db);
  const readers = new SqliteReaders(db);
  const writer = new SqliteWriter(db);
  return {
    db,
    models,
    applications: applicationRepository(models.Application),
    applicationKeys: applicationKeyRepository(db),
    users: userRepository(db, models),
    groups: groupRepository(db, models),
    sessions: sessionRepository({ db, models, readers, writer }),
    signups: signupRepository(db),
    audit: auditRepository(models),
    oneUseTokens: oneUseTokenRepository(db),
    secondFactors: secondFactorRepository(db),
    stats: statsRepository(db),
    webhooks: webhookRepository(db),
    deliveries: deliveryRepository(db),
    mailOutbox: mailOutboxRepository(db),
    readers,
    writer,
  };
}

/** Closes the readers and the writer, then the connection. */
export async function closeDataStore(store: Pick<DataStore, 'db' | 'readers' | 'writer'>): Promise<void> {
  await Promise.all([store.readers.close(), store.writer.close()]);
  await store.db.close();
}
