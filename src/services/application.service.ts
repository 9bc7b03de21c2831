import { formatDuration } from '../config/duration';
import { randomSecret } from '../crypto/random';
import { AppError, assertThat } from '../errors';
import type { Application } from '../db/models';
import { deleteUsersOfApplication } from '../db/batch-delete.repository';
import { inTransaction } from '../db/transaction';
import { uniquely } from '../db/unique';
import type { CreateApplicationInput, RotateSecretInput, UpdateApplicationInput } from '../schemas/application.schema';
import type { ApplicationResponse } from '../schemas/responses.schema';
import type { Deps } from './deps';
import { mailTemplatesOf } from './mail-templates';

/** Quid's defaults: login tokens live 15m, access tokens at most 20m, refresh tokens at most 24h. */
export const APPLICATION_DEFAULTS = { accessTtl: 15 * 60, accessTtlMax: 20 * 60, refreshTtlMax: 24 * 3600 };

export function serializeApplication(app: Application, options: { includeSecret?: boolean } = {}): ApplicationResponse {
  return {
    name: app.name,
    access_ttl: formatDuration(app.accessTtl),
    access_ttl_max: formatDuration(app.accessTtlMax),
    refresh_ttl_max: formatDuration(app.refreshTtlMax),
    cors_origins: JSON.parse(app.corsOrigins) as string[],
    audience: app.audience,
    mfa: app.mfa,
    signup: app.signup,
    recovery: app.recovery,
    public_url: app.publicUrl,
    mail_templates: mailTemplatesOf(app),
    secret_version: app.secretVersion,
    created_at: app.createdAt.toISOString(),
    updated_at: app.updatedAt.toISOString(),
    ...(options.includeSecret ? { secret: app.secret } : {}),
  };
}

/** The `kid` header of tokens signed with an application's current secret. */
export function keyId(app: Pick<Application, 'secretVersion'>): string {
  return `v${app.secretVersion}`;
}

/**
 * The secrets a token of this application may be verified with on jawth's own endpoints: the
 * current one and, during a rotation's grace period, the previous one.
 */
export function verificationSecrets(app: Application, now: Date): string[] {
  const graceOpen = app.previousSecret && app.previousSecretExpiresAt && app.previousSecretExpiresAt > now;
  return graceOpen ? [app.secret, app.previousSecret as string] : [app.secret];
}

export async function findApplication(name: string, deps: Pick<Deps, 'models'>): Promise<Application> {
  const app = await deps.models.Application.findOne({ where: { name } });
  assertThat(app, 'not_found', `No application is named "${name}".`);
  return app;
}

export async function listApplications(limit: number, offset: number, deps: Pick<Deps, 'models'>) {
  return deps.models.Application.findAndCountAll({ order: [['name', 'ASC']], limit, offset });
}

function assertLifetimes(app: Pick<Application, 'accessTtl' | 'accessTtlMax'>): void {
  if (app.accessTtl > app.accessTtlMax) {
    const [ttl, max] = [formatDuration(app.accessTtl), formatDuration(app.accessTtlMax)];
    throw new AppError('validation_failed', `access_ttl (${ttl}) may not exceed access_ttl_max (${max}).`, [
      { field: 'access_ttl', message: `must not be longer than access_ttl_max (${max})` },
    ]);
  }
}

/**
 * With SMTP_URL set, jawth mails the links itself: a confirmation or a recovery needs the page
 * they lead to. (Without SMTP the application gets the token in a webhook event and makes its own.)
 */
function assertMailable(app: Application, config: Deps['config']): void {
  if (!config.smtpUrl || app.publicUrl) return;
  const needs = app.signup === 'confirm' ? 'signup "confirm"' : app.recovery === 'on' ? 'recovery "on"' : undefined;
  if (!needs) return;
  throw new AppError('validation_failed', `With ${needs}, public_url names the page the mails link to.`, [
    { field: 'public_url', message: `is required with ${needs} (jawth mails the link)` },
  ]);
}

/** Stored templates: the ones given over the ones already set. */
function mergeTemplates(app: Application, given: UpdateApplicationInput['mail_templates']): string | null {
  if (!given) return app.mailTemplates ?? null;
  const stored = app.mailTemplates ? (JSON.parse(app.mailTemplates) as object) : {};
  return JSON.stringify({ ...stored, ...given });
}

async function saveUnique(app: Application, deps: Pick<Deps, 'caches'>): Promise<Application> {
  const formerName = (app.previous('name') as string | undefined) ?? app.name;
  await uniquely(() => app.save(), `An application named "${app.name}" already exists.`);
  deps.caches.applications.forget(app.name, formerName);
  return app;
}

export async function createApplication(
  input: CreateApplicationInput,
  deps: Pick<Deps, 'models' | 'caches' | 'config'>,
): Promise<Application> {
  const app = deps.models.Application.build({
    name: input.name,
    secret: input.secret ?? randomSecret(),
    previousSecret: null,
    previousSecretExpiresAt: null,
    refreshSecret: randomSecret(),
    accessTtl: input.access_ttl ?? APPLICATION_DEFAULTS.accessTtl,
    accessTtlMax: input.access_ttl_max ?? APPLICATION_DEFAULTS.accessTtlMax,
    refreshTtlMax: input.refresh_ttl_max ?? APPLICATION_DEFAULTS.refreshTtlMax,
    corsOrigins: JSON.stringify(input.cors_origins ?? []),
    audience: input.audience ?? null,
    mfa: input.mfa ?? 'off',
    signup: input.signup ?? 'off',
    recovery: input.recovery ?? 'off',
    publicUrl: input.public_url ?? null,
    mailTemplates: input.mail_templates ? JSON.stringify(input.mail_templates) : null,
  });
  assertLifetimes(app);
  assertMailable(app, deps.config);
  return saveUnique(app, deps);
}

export async function updateApplication(
  name: string,
  input: UpdateApplicationInput,
  deps: Pick<Deps, 'models' | 'caches' | 'clock' | 'config'>,
) {
  const app = await findApplication(name, deps);
  if (input.secret !== undefined && input.secret !== app.secret) rotate(app, input.secret, 0, deps.clock.now());
  if (input.name !== undefined) app.name = input.name;
  if (input.access_ttl !== undefined) app.accessTtl = input.access_ttl;
  if (input.access_ttl_max !== undefined) app.accessTtlMax = input.access_ttl_max;
  if (input.refresh_ttl_max !== undefined) app.refreshTtlMax = input.refresh_ttl_max;
  if (input.cors_origins !== undefined) app.corsOrigins = JSON.stringify(input.cors_origins);
  if (input.audience !== undefined) app.audience = input.audience;
  if (input.mfa !== undefined) app.mfa = input.mfa;
  if (input.signup !== undefined) app.signup = input.signup;
  if (input.recovery !== undefined) app.recovery = input.recovery;
  if (input.public_url !== undefined) app.publicUrl = input.public_url;
  app.mailTemplates = mergeTemplates(app, input.mail_templates);
  assertLifetimes(app);
  assertMailable(app, deps.config);
  return saveUnique(app, deps);
}

export async function rotateSecret(
  name: string,
  input: RotateSecretInput,
  deps: Pick<Deps, 'models' | 'caches' | 'clock'>,
) {
  const app = await findApplication(name, deps);
  rotate(app, input.secret ?? randomSecret(), input.grace ?? 0, deps.clock.now());
  return saveUnique(app, deps);
}

function rotate(app: Application, secret: string, graceSeconds: number, now: Date): void {
  app.previousSecret = graceSeconds > 0 ? app.secret : null;
  app.previousSecretExpiresAt = graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null;
  app.secret = secret;
  app.secretVersion += 1;
}

/**
 * Users, groups, memberships and sessions go with it (ON DELETE CASCADE). In a transaction of its
 * own, so that on SQLite it never lands inside a concurrent user creation's (see inTransaction).
 */
export async function deleteApplication(name: string, deps: Pick<Deps, 'db' | 'models' | 'caches'>): Promise<void> {
  const app = await findApplication(name, deps);
  // Its users first, in batches: one cascade over all of them held the write lock too long.
  await deleteUsersOfApplication(deps.db, app.id);
  await inTransaction(deps.db, (transaction) => app.destroy({ transaction }));
  deps.caches.applications.forget(name);
  deps.caches.userCounts.forget();
}
