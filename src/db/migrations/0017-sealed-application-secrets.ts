import { QueryTypes, type QueryInterface } from 'sequelize';
import { isSealedApplicationSecret, openApplicationSecret, sealApplicationSecret } from '../../crypto/secret-box';
import type { MigrationContext } from './migration';

const COLUMNS = ['secret', 'previous_secret', 'refresh_secret'] as const;
type Column = (typeof COLUMNS)[number];
type Row = { id: number; name: string } & Record<Column, string | null>;

/**
 * Application secrets sealed at rest (AES-256-GCM under a key derived from SECRET_KEY, as TOTP
 * and webhook secrets are): a copy of the database no longer signs tokens for every application.
 * PostgreSQL's VARCHAR(512) cannot hold a sealed 512-byte secret (about 740 characters): the
 * columns become TEXT (SQLite does not enforce lengths). Each plain value is sealed; a value
 * sealed already (`sealed:`, see secret-box.ts) is left as it is once it opens with this
 * SECRET_KEY, so that running this again seals nothing twice. One that is marked but does not
 * open stops the migration rather than be guessed at: sealed with another SECRET_KEY.
 */
export async function up(q: QueryInterface, { secretKey }: MigrationContext): Promise<void> {
  const db = q.sequelize;
  if (db.getDialect() === 'postgres') {
    for (const column of COLUMNS) await db.query(`ALTER TABLE applications ALTER COLUMN ${column} TYPE TEXT`);
  }
  await rewrite(q, (row, column, value) => {
    if (!isSealedApplicationSecret(value)) return sealApplicationSecret(value, needKey(secretKey));
    try {
      openApplicationSecret(value, needKey(secretKey));
    } catch {
      throw new Error(
        `applications.${column} of "${row.name}" is sealed but does not open with this SECRET_KEY: ` +
          'it was sealed with another one. Start with that SECRET_KEY.',
      );
    }
    return undefined;
  });
}

/** Opens every sealed value again (a rollback to code that reads them plain). */
export async function down(q: QueryInterface, { secretKey }: MigrationContext): Promise<void> {
  await rewrite(q, (_row, _column, value) =>
    isSealedApplicationSecret(value) ? openApplicationSecret(value, needKey(secretKey)) : undefined,
  );
  if (q.sequelize.getDialect() === 'postgres') {
    for (const column of COLUMNS) {
      await q.sequelize.query(`ALTER TABLE applications ALTER COLUMN ${column} TYPE VARCHAR(512)`);
    }
  }
}

/** Rewrites each row's non-null secrets as `change` says (undefined: left alone). */
async function rewrite(
  q: QueryInterface,
  change: (row: Row, column: Column, value: string) => string | undefined,
): Promise<void> {
  const rows = await q.sequelize.query<Row>(`SELECT id, name, ${COLUMNS.join(', ')} FROM applications ORDER BY id`, {
    type: QueryTypes.SELECT,
  });
  for (const row of rows) {
    const changed = COLUMNS.flatMap((column) => {
      const value = row[column];
      const next = value === null ? undefined : change(row, column, value);
      return next === undefined ? [] : [[column, next] as const];
    });
    if (changed.length === 0) continue;
    const sets = changed.map(([column], i) => `${column} = $${i + 1}`).join(', ');
    await q.sequelize.query(`UPDATE applications SET ${sets} WHERE id = $${changed.length + 1}`, {
      bind: [...changed.map(([, value]) => value), row.id],
    });
  }
}

function needKey(secretKey: string | undefined): string {
  if (!secretKey) {
    throw new Error('0017-sealed-application-secrets seals application secrets with SECRET_KEY: none was given');
  }
  return secretKey;
}
