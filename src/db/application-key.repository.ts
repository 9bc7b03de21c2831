import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { bindToDb } from './database';

/** Application keys in raw SQL; the key itself is never here, only its SHA-256 (hex). */

export interface ApplicationKeyRecord {
  id: string;
  applicationId: number;
  label: string;
  scopes: string[];
  createdAt: Date;
}

/** A key found by its hash, with the name of the application it belongs to. */
export interface KeyHolder extends ApplicationKeyRecord {
  app: string;
}

type Row = Record<string, unknown>;

const COLUMNS = 'k.id, k.application_id, k.label, k.scopes, k.created_at';

function record(row: Row): ApplicationKeyRecord {
  return {
    id: String(row.id),
    applicationId: Number(row.application_id),
    label: String(row.label),
    scopes: String(row.scopes).split(' ').filter(Boolean),
    createdAt: new Date(Number(row.created_at)),
  };
}

export async function insertKey(db: Sequelize, key: ApplicationKeyRecord & { hash: string }): Promise<void> {
  await db.query(
    'INSERT INTO application_keys (id, application_id, key_hash, label, scopes, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
    { bind: [key.id, key.applicationId, key.hash, key.label, key.scopes.join(' '), key.createdAt.getTime()] },
  );
}

/** The keys of these applications with their hashes, for jawth's dump; in the export's snapshot. */
export async function keysForDump(
  db: Sequelize,
  applicationIds: number[],
  transaction: Transaction,
): Promise<(ApplicationKeyRecord & { hash: string })[]> {
  if (applicationIds.length === 0) return [];
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS}, k.key_hash FROM application_keys k WHERE k.application_id IN (${applicationIds.map((_id, i) => `$${i + 1}`).join(', ')}) ORDER BY k.application_id, k.created_at, k.id`,
    { bind: applicationIds, type: QueryTypes.SELECT, transaction },
  );
  return rows.map((row) => ({ ...record(row), hash: String(row.key_hash) }));
}

/** Whether a key of this id exists (in any application). */
export async function keyExists(db: Sequelize, id: string): Promise<boolean> {
  const rows = await db.query<Row>('SELECT 1 AS found FROM application_keys WHERE id = $1', {
    bind: [id],
    type: QueryTypes.SELECT,
  });
  return rows.length > 0;
}

/** The application's keys, oldest first. */
async function listKeys(db: Sequelize, applicationId: number): Promise<ApplicationKeyRecord[]> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM application_keys k WHERE k.application_id = $1 ORDER BY k.created_at, k.id`,
    { bind: [applicationId], type: QueryTypes.SELECT },
  );
  return rows.map(record);
}

/** Deletes one key of the application; whether it existed. */
async function deleteKey(db: Sequelize, applicationId: number, id: string): Promise<boolean> {
  const result: unknown = await db.query('DELETE FROM application_keys WHERE application_id = $1 AND id = $2', {
    bind: [applicationId, id],
    type: QueryTypes.BULKDELETE,
  });
  return Number(result) === 1;
}

/** The key whose SHA-256 is `hash`, read from the database on every use: nothing cached. */
async function findKeyByHash(db: Sequelize, hash: string): Promise<KeyHolder | null> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS}, a.name AS app FROM application_keys k JOIN applications a ON a.id = k.application_id WHERE k.key_hash = $1`,
    { bind: [hash], type: QueryTypes.SELECT },
  );
  const row = rows[0];
  return row ? { ...record(row), app: String(row.app) } : null;
}

/** The applications' API keys on one connection (`deps.applicationKeys`, made in storeOf). */
export const applicationKeyRepository = (db: Sequelize) =>
  bindToDb(db, {
    insert: insertKey,
    exists: keyExists,
    list: listKeys,
    delete: deleteKey,
    findByHash: findKeyByHash,
  });
export type ApplicationKeyRepository = ReturnType<typeof applicationKeyRepository>;
