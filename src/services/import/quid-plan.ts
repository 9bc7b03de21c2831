import { appNameSchema, usernameSchema } from '../../schemas/common.schema';
import { decryptQuidValue, parseQuidKey, QuidKeyError } from './quid-crypto';
import { parseQuidDuration, type QuidNamespace, type QuidSource, type QuidUser } from './quid-source';

/** Quid's own admin namespace: its `quid_admin` members become jawth admin accounts. */
export const QUID_ADMIN_NAMESPACE = 'quid';
export const QUID_ADMIN_GROUP = 'quid_admin';

export interface PlannedNamespace {
  namespace: QuidNamespace;
  secret: string;
  refreshSecret: string;
  accessTtlMax: number;
  refreshTtlMax: number;
  /** Why this namespace cannot become an application, if it cannot. */
  problem?: string;
}

/**
 * Decrypts every namespace's keys before anything is written: a wrong `--quid-key` fails the
 * GCM tag check of the first key, so the whole import stops with nothing changed.
 */
export async function planNamespaces(source: QuidSource, quidKeyHex: string): Promise<PlannedNamespace[]> {
  const aesKey = parseQuidKey(quidKeyHex);
  const namespaces = await source.namespaces();
  const failures: string[] = [];
  const planned: PlannedNamespace[] = [];
  for (const namespace of namespaces) {
    try {
      const secret = decryptQuidValue(namespace.key, aesKey);
      const refreshSecret = decryptQuidValue(namespace.refreshKey, aesKey);
      planned.push({ namespace, secret, refreshSecret, ...lifetimes(namespace) });
    } catch (error) {
      if (!(error instanceof QuidKeyError)) throw error;
      failures.push(`${namespace.name} (${error.message})`);
    }
  }
  if (failures.length > 0) {
    throw new QuidKeyError(
      `--quid-key does not decrypt the keys of ${failures.length} of ${namespaces.length} namespaces: ` +
        `${failures.slice(0, 5).join(', ')}. Is it the "key" of Quid's config.json? Nothing was imported.`,
    );
  }
  return planned.map((p) => ({ ...p, problem: p.problem ?? namespaceProblem(p) }));
}

function lifetimes(namespace: QuidNamespace): Pick<PlannedNamespace, 'accessTtlMax' | 'refreshTtlMax' | 'problem'> {
  const accessTtlMax = parseQuidDuration(namespace.maxTokenTtl);
  const refreshTtlMax = parseQuidDuration(namespace.maxRefreshTokenTtl);
  if (accessTtlMax === undefined || refreshTtlMax === undefined) {
    const bad = accessTtlMax === undefined ? namespace.maxTokenTtl : namespace.maxRefreshTokenTtl;
    return { accessTtlMax: 0, refreshTtlMax: 0, problem: `its token lifetime "${bad}" is not a duration` };
  }
  return { accessTtlMax, refreshTtlMax };
}

function namespaceProblem(p: PlannedNamespace): string | undefined {
  const name = appNameSchema.safeParse(p.namespace.name);
  if (!name.success) return `"${p.namespace.name}" is not a valid application name (${name.error.issues[0].message})`;
  // Secrets shorter than 32 bytes are refused for new applications (RFC 7518 §3.2).
  if (Buffer.byteLength(p.secret) < 32) return 'its key is shorter than 32 bytes';
  return undefined;
}

const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

export interface SkippedUser {
  app: string;
  username: string;
  reason: string;
}

/** The users jawth can take as they are; the others are reported with the reason. */
export function acceptableUsers(app: string, users: QuidUser[], skipped: SkippedUser[]): QuidUser[] {
  const seen = new Set<string>();
  return users.filter((user) => {
    const reason = !usernameSchema.safeParse(user.username).success
      ? 'username is not valid in jawth'
      : !BCRYPT_HASH.test(user.password)
        ? 'password is not a bcrypt hash'
        : seen.has(user.username)
          ? 'duplicate username'
          : undefined;
    seen.add(user.username);
    if (reason) skipped.push({ app, username: user.username, reason });
    return reason === undefined;
  });
}
