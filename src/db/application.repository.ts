import type { CreationAttributes, Sequelize } from 'sequelize';
import { inTransaction } from './transaction';
import type {
  Application as ApplicationModel,
  MfaSetting,
  RecoverySetting,
  SignupSetting,
} from './models/application.model';

/** A mail template as stored: a subject and a text (their placeholders are the mail service's). */
export interface StoredMailTemplate {
  subject: string;
  text: string;
}

/**
 * An application as the services see it: plain values, the lists and templates decoded. The
 * three secrets stay sealed (`sealed:v1.…`, crypto/secret-box.ts): application.service.ts opens them.
 */
export interface Application {
  id: number;
  name: string;
  secret: string;
  secretVersion: number;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  refreshSecret: string;
  accessTtl: number;
  accessTtlMax: number;
  refreshTtlMax: number;
  corsOrigins: string[];
  audience: string | null;
  mfa: MfaSetting;
  signup: SignupSetting;
  recovery: RecoverySetting;
  publicUrl: string | null;
  /** The templates set (`confirm`, `recover`); a missing one is the default. */
  mailTemplates: Partial<Record<string, StoredMailTemplate>> | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a new application is made of; the id, the secret's version and the times come from the database. */
export type NewApplication = Omit<Application, 'id' | 'secretVersion' | 'createdAt' | 'updatedAt'>;
/** The fields an update may set. */
export type ApplicationChanges = Partial<Omit<Application, 'id' | 'createdAt' | 'updatedAt'>>;

export interface ApplicationRepository {
  findByName(name: string): Promise<Application | null>;
  /** A page in name order, with the total. */
  list(limit: number, offset: number): Promise<{ count: number; rows: Application[] }>;
  all(): Promise<Application[]>;
  /** Throws Sequelize's UniqueConstraintError on a taken name (see db/unique.ts). */
  create(values: NewApplication): Promise<Application>;
  /** The application as changed, or null when a concurrent delete took it. */
  update(id: number, changes: ApplicationChanges): Promise<Application | null>;
  /** Its groups, memberships and sessions go with it (ON DELETE CASCADE), in one transaction. */
  remove(id: number): Promise<void>;
}

function encoded(values: ApplicationChanges) {
  const { corsOrigins, mailTemplates, ...rest } = values;
  return {
    ...rest,
    ...(corsOrigins === undefined ? {} : { corsOrigins: JSON.stringify(corsOrigins) }),
    ...(mailTemplates === undefined ? {} : { mailTemplates: mailTemplates ? JSON.stringify(mailTemplates) : null }),
  };
}

export function decodedApplication(row: ApplicationModel): Application {
  return {
    id: row.id,
    name: row.name,
    secret: row.secret,
    secretVersion: row.secretVersion,
    previousSecret: row.previousSecret,
    previousSecretExpiresAt: row.previousSecretExpiresAt,
    refreshSecret: row.refreshSecret,
    accessTtl: row.accessTtl,
    accessTtlMax: row.accessTtlMax,
    refreshTtlMax: row.refreshTtlMax,
    corsOrigins: JSON.parse(row.corsOrigins) as string[],
    audience: row.audience,
    mfa: row.mfa,
    signup: row.signup,
    recovery: row.recovery,
    publicUrl: row.publicUrl,
    mailTemplates: row.mailTemplates
      ? (JSON.parse(row.mailTemplates) as Partial<Record<string, StoredMailTemplate>>)
      : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The applications table of one connection (its model class, bound by bindModels). */
export function applicationRepository(model: typeof ApplicationModel): ApplicationRepository {
  return {
    async findByName(name) {
      const row = await model.findOne({ where: { name } });
      return row && decodedApplication(row);
    },
    async list(limit, offset) {
      const { count, rows } = await model.findAndCountAll({ order: [['name', 'ASC']], limit, offset });
      return { count, rows: rows.map(decodedApplication) };
    },
    async all() {
      return (await model.findAll({ order: [['id', 'ASC']] })).map(decodedApplication);
    },
    async create(values) {
      return decodedApplication(await model.create(encoded(values) as CreationAttributes<ApplicationModel>));
    },
    async update(id, changes) {
      await model.update(encoded(changes), { where: { id } });
      const row = await model.findByPk(id);
      return row && decodedApplication(row);
    },
    async remove(id) {
      await inTransaction(model.sequelize as Sequelize, (transaction) => model.destroy({ where: { id }, transaction }));
    },
  };
}
