import crypto from 'node:crypto';
import * as keys from '../db/application-key.repository';
import { AppError, assertThat } from '../errors';
import { randomId, sha256 } from '../crypto/random';
import type { AppKeyScope, ApplicationKeyResponse, CreateApplicationKeyInput } from '../schemas/application-key.schema';
import { findApplication } from './application.service';
import type { Deps } from './deps';

export const APP_KEY_PREFIX = 'jawth_ak_';

/** The audit action of a key's call to an admin route that names none (always refused: 403). */
export const APP_KEY_REFUSED_ACTION = 'application_key.refused';

/** The key as its holder authenticates: which key, of which application, with what scopes. */
export interface AppKeyHolder {
  id: string;
  label: string;
  app: string;
  scopes: AppKeyScope[];
}

export function serializeKey(key: keys.ApplicationKeyRecord): ApplicationKeyResponse {
  return {
    id: key.id,
    label: key.label,
    scopes: key.scopes as AppKeyScope[],
    created_at: key.createdAt.toISOString(),
  };
}

/** Creates a key; the answer is the only place the key ever appears (only its SHA-256 is stored). */
export async function createKey(
  appName: string,
  input: CreateApplicationKeyInput,
  deps: Pick<Deps, 'applications' | 'clock' | 'applicationKeys'>,
) {
  const application = await findApplication(appName, deps);
  const key = APP_KEY_PREFIX + crypto.randomBytes(32).toString('base64url');
  const record = { id: randomId(), applicationId: application.id, label: input.label, scopes: input.scopes };
  const createdAt = deps.clock.now();
  await deps.applicationKeys.insert({ ...record, hash: sha256(key), createdAt });
  return { ...serializeKey({ ...record, createdAt }), key };
}

export async function listKeys(appName: string, deps: Pick<Deps, 'applications' | 'applicationKeys'>) {
  const application = await findApplication(appName, deps);
  return (await deps.applicationKeys.list(application.id)).map(serializeKey);
}

/** Deletes the key: the next use, on any instance, finds no row. */
export async function revokeKey(
  appName: string,
  id: string,
  deps: Pick<Deps, 'applications' | 'applicationKeys'>,
): Promise<void> {
  const application = await findApplication(appName, deps);
  assertThat(
    await deps.applicationKeys.delete(application.id, id),
    'application_key_not_found',
    `No key of "${appName}" has the id "${id}".`,
  );
}

/**
 * The key's holder, read from the database on every use (no cache, so a revocation holds at once
 * everywhere). Looked up by the key's SHA-256 rather than compared in constant time: the key
 * carries 256 random bits, so what an index lookup's timing could reveal is how a guess's digest
 * sorts against stored digests, and no one can choose a key to hit a digest (preimage
 * resistance); a guess is as good as a random one.
 */
export async function authenticateAppKey(key: string, deps: Pick<Deps, 'applicationKeys'>): Promise<AppKeyHolder> {
  const unknown = () => new AppError('unauthorized', 'The application key is not valid (unknown or revoked).');
  if (!key.startsWith(APP_KEY_PREFIX) || key.length > 128) throw unknown();
  const found = await deps.applicationKeys.findByHash(sha256(key));
  if (!found) throw unknown();
  return { id: found.id, label: found.label, app: found.app, scopes: found.scopes as AppKeyScope[] };
}

/**
 * What a key may call: only the admin routes that name a scope (its application's user routes),
 * only for its own application, only within its scopes. Anything else is 403.
 */
export function assertKeyMayCall(holder: AppKeyHolder, scope: AppKeyScope | undefined, app: string | undefined): void {
  if (scope === undefined)
    throw new AppError('forbidden', "An application key reaches only its application's user routes.");
  if (app !== holder.app) throw new AppError('forbidden', 'This application key belongs to another application.');
  if (!holder.scopes.includes(scope)) throw new AppError('forbidden', `This application key lacks the scope ${scope}.`);
}
