import { QueryTypes, type Sequelize } from 'sequelize';
import type { OneUsePurpose } from '../../src/db/one-use-token.repository';

export interface StoredToken {
  tokenHash: string;
  userId: number | null;
  adminId: number | null;
  data: string | null;
  expiresAt: number;
  createdAt: number;
}

/** The rows of `one_use_tokens` of a purpose (and of one hash, when given), as stored. */
export async function storedTokens(db: Sequelize, purpose: OneUsePurpose, tokenHash?: string): Promise<StoredToken[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT token_hash, user_id, admin_account_id, data, expires_at, created_at FROM one_use_tokens
      WHERE purpose = $1 AND ($2 = '' OR token_hash = $2) ORDER BY id`,
    { bind: [purpose, tokenHash ?? ''], type: QueryTypes.SELECT },
  );
  const num = (value: unknown) => (value === null ? null : Number(value));
  return rows.map((row) => ({
    tokenHash: String(row.token_hash),
    userId: num(row.user_id),
    adminId: num(row.admin_account_id),
    data: row.data === null ? null : String(row.data),
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
  }));
}

export const countTokens = async (db: Sequelize, purpose: OneUsePurpose, tokenHash?: string) =>
  (await storedTokens(db, purpose, tokenHash)).length;
