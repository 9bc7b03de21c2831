import { formatDuration } from '../config/duration';
import { randomSecret } from '../crypto/random';
import { openApplicationSecret, sealApplicationSecret } from '../crypto/secret-box';
import { AppError, assertThat } from '../errors';
import type { Application, ApplicationChanges, NewApplication } from '../db/application.repository';
import { deleteUsersOfApplication } from '../db/batch-delete.repository';
import { uniquely } from '../db/unique';
import type { CreateApplicationInput, RotateSecretInput, UpdateApplicationInput } from '../schemas/application.schema';
import { appNameSchema } from '../schemas/common.schema';
import type { ApplicationResponse } from '../schemas/responses.schema';
import type { Deps } from './deps';
import { mailTemplatesOf } from './mail-templates';

/** Quid's defaults: login tokens live 15m, access tokens at most 20m, refresh tokens at most 24h. */
export const APPLICATION_DEFAULTS = { accessTtl: 15 * 60, accessTtlMax: 20 * 60, refreshTtlMax: 24 * 3600 };

/** With `secretKey`, the answer carries the plain secret, opened with it (create, rotate, include_secret). */
export function serializeApplication(app: Application, options: { secretKey?: string } = {}): ApplicationResponse {
  return {
    name: app.name,
    access_ttl: formatDuration(app.accessTtl),
    access_ttl_max: formatDuration(app.accessTtlMax),
    refresh_ttl_max: formatDuration(app.refreshTtlMax),
    cors_origins: app.corsOrigins,
    audience: app.audience,
    mfa: app.mfa,
    signup: app.signup,
    recovery: app.recovery,
    public_url: app.publicUrl,
    mail_templates: mailTemplatesOf(app),
    secret_version: app.secretVersion,
    created_at: app.createdAt.toISOString(),
    updated_at: app.updatedAt.toISOString(),
    ...(options.secretKey ? { secret: openedSecret(app, 'secret', options.secretKey) } : {}),
  };
}

/** The `kid` header of tokens signed with an application's current secret. */
export function keyId(app: Pick<Application, 'secretVersion'>): string {
  return `v${app.secretVersion}`;
}

// Opened secrets by SECRET_KEY, then by the stored (sealed) value: the token hot path opens each
// once (AES-GCM) and then finds it in a map, and the plain text, the same string each time,
// keeps its KeyObject in jwt.ts's cache. Keyed by the sealed value rather than the application's
// id and secret_version, which two databases open in one process (an export into another, the
// tests) share; each seal has a fresh nonce. Bounded, as jwt.ts's, so that rotated ones fall out.
const openedByKey = new Map<string, Map<string, string>>();
const OPENED_LIMIT = 10_000;

/** What the stored application secrets are, by the model's attribute. */
type SecretColumn = 'secret' | 'previousSecret' | 'refreshSecret';

/**
 * One of the application's secrets, opened (cached); a 500 saying why when SECRET_KEY is not
 * the one it was sealed with (replaced: see docs/operations.md, Rotating keys and secrets).
 */
export function openedSecret(
  app: Pick<Application, 'name' | SecretColumn>,
  column: SecretColumn,
  secretKey: string,
): string {
  const stored = app[column];
  if (stored === null) throw new Error(`application ${app.name} has no ${column}`);
  let opened = openedByKey.get(secretKey);
  if (!opened) {
    opened = new Map();
    openedByKey.set(secretKey, opened);
  }
  let plain = opened.get(stored);
  if (plain === undefined) {
    try {
      plain = openApplicationSecret(stored, secretKey);
    } catch (error) {
      throw new AppError(
        'internal_error',
        `The secrets of application "${app.name}" do not open with this server's SECRET_KEY: they were sealed with another one.`,
        undefined,
        { cause: error },
      );
    }
    if (opened.size >= OPENED_LIMIT) opened.delete(opened.keys().next().value as string);
    opened.set(stored, plain);
  }
  return plain;
}

/**
 * Tells the log, at start, which applications' secrets do not open with this SECRET_KEY (it was
 * replaced), as a second factor sealed with another one is told at its next code: their token
 * requests answer 500 saying so, the other applications work. Opening them also fills the cache
 * before the first login. A database that does not answer yet is checked by no one: served anyway.
 */
export async function reportUnopenedSecrets(deps: Pick<Deps, 'applications' | 'config' | 'logger'>): Promise<void> {
  let apps: Application[];
  try {
    apps = await deps.applications.all();
  } catch {
    return;
  }
  const columns = ['secret', 'previousSecret', 'refreshSecret'] as const;
  const unopened = apps.filter((app) => {
    try {
      for (const column of columns) if (app[column] !== null) openedSecret(app, column, deps.config.secretKey);
      return false;
    } catch {
      return true;
    }
  });
  if (unopened.length === 0) return;
  const names = unopened.map((app) => app.name);
  deps.logger.error(
    { applications: names },
    `application secrets sealed with another SECRET_KEY: ${names.join(', ')} cannot issue tokens until started with that SECRET_KEY (docs/operations.md, Rotating keys and secrets)`,
  );
}

/**
 * The secrets a token of this application may be verified with on jawth's own endpoints: the
 * current one and, during a rotation's grace period, the previous one.
 */
export function verificationSecrets(app: Application, now: Date, secretKey: string): string[] {
  const current = openedSecret(app, 'secret', secretKey);
  const graceOpen = app.previousSecret && app.previousSecretExpiresAt && app.previousSecretExpiresAt > now;
  return graceOpen ? [current, openedSecret(app, 'previousSecret', secretKey)] : [current];
}

const noApplication = (name: string) => `No application is named "${name}".`;

/**
 * The application of this name, or null, for the public routes that answer a missing one with
 * their own code (`signup_disabled`…). A name no application can have is not looked up.
 */
export async function applicationNamed(name: string, deps: Pick<Deps, 'applications'>): Promise<Application | null> {
  return appNameSchema.safeParse(name).success ? deps.applications.findByName(name) : null;
}

export async function findApplication(name: string, deps: Pick<Deps, 'applications'>): Promise<Application> {
  const app = await deps.applications.findByName(name);
  assertThat(app, 'application_not_found', noApplication(name));
  return app;
}

export async function listApplications(limit: number, offset: number, deps: Pick<Deps, 'applications'>) {
  return deps.applications.list(limit, offset);
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
function assertMailable(app: Pick<Application, 'publicUrl' | 'signup' | 'recovery'>, config: Deps['config']): void {
  if (!config.smtpUrl || app.publicUrl) return;
  const needs = app.signup === 'confirm' ? 'signup "confirm"' : app.recovery === 'on' ? 'recovery "on"' : undefined;
  if (!needs) return;
  throw new AppError('validation_failed', `With ${needs}, public_url names the page the mails link to.`, [
    { field: 'public_url', message: `is required with ${needs} (jawth mails the link)` },
  ]);
}

const nameTaken = (name: string) => `An application named "${name}" already exists.`;

/** Saves the changes; the former name and the new one leave the cache. */
async function saveChanges(
  app: Application,
  changes: ApplicationChanges,
  deps: Pick<Deps, 'applications' | 'caches'>,
): Promise<Application> {
  const name = changes.name ?? app.name;
  const saved = await uniquely(
    () => deps.applications.update(app.id, changes),
    'application_name_taken',
    nameTaken(name),
  );
  deps.caches.applications.forget(name, app.name);
  assertThat(saved, 'application_not_found', noApplication(app.name));
  return saved;
}

export async function createApplication(
  input: CreateApplicationInput,
  deps: Pick<Deps, 'applications' | 'caches' | 'config'>,
): Promise<Application> {
  const { secretKey } = deps.config;
  const app: NewApplication = {
    name: input.name,
    secret: sealApplicationSecret(input.secret ?? randomSecret(), secretKey),
    previousSecret: null,
    previousSecretExpiresAt: null,
    refreshSecret: sealApplicationSecret(randomSecret(), secretKey),
    accessTtl: input.access_ttl ?? APPLICATION_DEFAULTS.accessTtl,
    accessTtlMax: input.access_ttl_max ?? APPLICATION_DEFAULTS.accessTtlMax,
    refreshTtlMax: input.refresh_ttl_max ?? APPLICATION_DEFAULTS.refreshTtlMax,
    corsOrigins: input.cors_origins ?? [],
    audience: input.audience ?? null,
    mfa: input.mfa ?? 'off',
    signup: input.signup ?? 'off',
    recovery: input.recovery ?? 'off',
    publicUrl: input.public_url ?? null,
    mailTemplates: input.mail_templates ?? null,
  };
  assertLifetimes(app);
  assertMailable(app, deps.config);
  const created = await uniquely(() => deps.applications.create(app), 'application_name_taken', nameTaken(app.name));
  deps.caches.applications.forget(app.name);
  return created;
}

export async function updateApplication(
  name: string,
  input: UpdateApplicationInput,
  deps: Pick<Deps, 'applications' | 'caches' | 'clock' | 'config'>,
) {
  const app = await findApplication(name, deps);
  const rotation =
    input.secret !== undefined && input.secret !== openedSecret(app, 'secret', deps.config.secretKey)
      ? rotated(app, sealApplicationSecret(input.secret, deps.config.secretKey), 0, deps.clock.now())
      : {};
  const changes: ApplicationChanges = {
    ...rotation,
    name: input.name,
    accessTtl: input.access_ttl,
    accessTtlMax: input.access_ttl_max,
    refreshTtlMax: input.refresh_ttl_max,
    corsOrigins: input.cors_origins,
    audience: input.audience,
    mfa: input.mfa,
    signup: input.signup,
    recovery: input.recovery,
    publicUrl: input.public_url,
    // The templates given replace the stored ones; one not given keeps its value.
    mailTemplates: input.mail_templates ? { ...app.mailTemplates, ...input.mail_templates } : undefined,
  };
  const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  const next = { ...app, ...given };
  assertLifetimes(next);
  assertMailable(next, deps.config);
  return saveChanges(app, given, deps);
}

export async function rotateSecret(
  name: string,
  input: RotateSecretInput,
  deps: Pick<Deps, 'applications' | 'caches' | 'clock' | 'config'>,
) {
  const app = await findApplication(name, deps);
  const sealed = sealApplicationSecret(input.secret ?? randomSecret(), deps.config.secretKey);
  return saveChanges(app, rotated(app, sealed, input.grace ?? 0, deps.clock.now()), deps);
}

/** `sealed` is the new secret as stored; the current one moves to previous_secret still sealed. */
function rotated(app: Application, sealed: string, graceSeconds: number, now: Date): ApplicationChanges {
  return {
    previousSecret: graceSeconds > 0 ? app.secret : null,
    previousSecretExpiresAt: graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null,
    secret: sealed,
    secretVersion: app.secretVersion + 1,
  };
}

/** Users, groups, memberships and sessions go with it (ON DELETE CASCADE). */
export async function deleteApplication(
  name: string,
  deps: Pick<Deps, 'db' | 'applications' | 'caches'>,
): Promise<void> {
  const app = await findApplication(name, deps);
  // Its users first, in batches: one cascade over all of them held the write lock too long.
  await deleteUsersOfApplication(deps.db, app.id);
  await deps.applications.remove(app.id);
  deps.caches.applications.forget(name);
  deps.caches.userCounts.forget();
}
