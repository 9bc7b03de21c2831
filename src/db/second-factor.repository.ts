import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { bindToDb } from './database';
import { inTransaction } from './transaction';

/**
 * Second factors and recovery codes, in raw SQL: each spend (a time step, a recovery code) is one
 * conditional statement whose row count says whether this request won, so that of concurrent
 * requests exactly one does. The tokens between a password and a code are one-use tokens
 * (one-use-token.repository.ts).
 */

/** Whose factor: an application's user or an admin account. */
export type FactorOwner = { userId: number } | { adminId: number };

export interface FactorRecord {
  id: number;
  /** Sealed (crypto/secret-box.ts); never the base32 secret itself. */
  secret: string;
  confirmedAt: number | null;
  lastStep: number | null;
}

function ownerColumn(owner: FactorOwner): [string, number] {
  return 'userId' in owner ? ['user_id', owner.userId] : ['admin_account_id', owner.adminId];
}

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

async function changed(db: Sequelize, sql: string, bind: unknown[], transaction?: Transaction): Promise<number> {
  const result: unknown = await db.query(sql, { bind, type: QueryTypes.BULKDELETE, transaction });
  return Number(result);
}

export async function findFactor(db: Sequelize, owner: FactorOwner): Promise<FactorRecord | null> {
  const [column, id] = ownerColumn(owner);
  const rows = await db.query<Record<string, unknown>>(
    `SELECT id, secret, confirmed_at, last_step FROM second_factors WHERE ${column} = $1`,
    { bind: [id], type: QueryTypes.SELECT },
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: Number(row.id),
    secret: String(row.secret),
    confirmedAt: num(row.confirmed_at),
    lastStep: num(row.last_step),
  };
}

/** Starts an enrolment: replaces any unconfirmed factor of the owner. False when one is confirmed. */
export async function savePendingFactor(db: Sequelize, owner: FactorOwner, sealed: string, now: Date) {
  const [column, id] = ownerColumn(owner);
  return inTransaction(db, async (transaction) => {
    await changed(db, `DELETE FROM second_factors WHERE ${column} = $1 AND confirmed_at IS NULL`, [id], transaction);
    const rows = await db.query(`SELECT id FROM second_factors WHERE ${column} = $1`, {
      bind: [id],
      type: QueryTypes.SELECT,
      transaction,
    });
    if (rows.length > 0) return false;
    await db.query(`INSERT INTO second_factors (${column}, secret, created_at) VALUES ($1, $2, $3)`, {
      bind: [id, sealed, now.getTime()],
      transaction,
    });
    return true;
  });
}

/** Activates a pending factor with its first code's step and its recovery codes; false if already done. */
export async function confirmFactor(db: Sequelize, factorId: number, step: number, codeHashes: string[], now: Date) {
  return inTransaction(db, async (transaction) => {
    const confirmed = await changed(
      db,
      'UPDATE second_factors SET confirmed_at = $1, last_step = $2 WHERE id = $3 AND confirmed_at IS NULL',
      [now.getTime(), step, factorId],
      transaction,
    );
    if (confirmed !== 1) return false;
    for (const hash of codeHashes) {
      await db.query('INSERT INTO recovery_codes (factor_id, code_hash) VALUES ($1, $2)', {
        bind: [factorId, hash],
        transaction,
      });
    }
    return true;
  });
}

/**
 * Takes a place for one code check on the factor's own count of consecutive wrong codes, before
 * the code is checked, so that a burst from many addresses gets no more checks than the limit
 * (NIST SP 800-63B §5.2.2). The place that reaches `max` also locks the factor until `lockUntil`
 * (a right code then clears both); once that time has passed, the count starts again. The count
 * including this check, or null while the factor is locked.
 */
export async function reserveCodeCheck(
  db: Sequelize,
  factorId: number,
  max: number,
  now: Date,
  lockUntil: Date,
): Promise<number | null> {
  const rows = await db.query<{ failed_codes: number | string }>(
    `UPDATE second_factors SET
       failed_codes = CASE WHEN failed_codes >= $1 THEN 1 ELSE failed_codes + 1 END,
       locked_until = CASE WHEN failed_codes >= $1 THEN NULL WHEN failed_codes + 1 >= $1 THEN $2 ELSE locked_until END
     WHERE id = $3 AND (failed_codes < $1 OR locked_until <= $4)
     RETURNING failed_codes`,
    { bind: [max, lockUntil.getTime(), factorId, now.getTime()], type: QueryTypes.SELECT },
  );
  return rows.length === 0 ? null : Number(rows[0].failed_codes);
}

/** A right code: the factor's count of wrong codes starts again (and a lock its check set is lifted). */
export async function clearCodeFailures(db: Sequelize, factorId: number): Promise<void> {
  await db.query('UPDATE second_factors SET failed_codes = 0, locked_until = NULL WHERE id = $1', {
    bind: [factorId],
  });
}

/** Until when a locked factor refuses every code (epoch ms), or null. */
export async function factorLockedUntil(db: Sequelize, factorId: number): Promise<number | null> {
  const rows = await db.query<{ locked_until: unknown }>('SELECT locked_until FROM second_factors WHERE id = $1', {
    bind: [factorId],
    type: QueryTypes.SELECT,
  });
  return num(rows[0]?.locked_until);
}

/** Accepts a time step once: only a step after the last one accepted (so no replay, no older code). */
export async function spendStep(db: Sequelize, factorId: number, step: number): Promise<boolean> {
  const sql =
    'UPDATE second_factors SET last_step = $1 WHERE id = $2 AND confirmed_at IS NOT NULL AND (last_step IS NULL OR last_step < $1)';
  return (await changed(db, sql, [step, factorId])) === 1;
}

export async function spendRecoveryCode(db: Sequelize, factorId: number, codeHash: string): Promise<boolean> {
  const sql = 'DELETE FROM recovery_codes WHERE factor_id = $1 AND code_hash = $2';
  return (await changed(db, sql, [factorId, codeHash])) === 1;
}

export async function countRecoveryCodes(db: Sequelize, factorId: number): Promise<number> {
  const rows = await db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM recovery_codes WHERE factor_id = $1', {
    bind: [factorId],
    type: QueryTypes.SELECT,
  });
  return Number(rows[0]?.n ?? 0);
}

/** Removes the owner's factor (its recovery codes go with it); how many were removed. */
export async function deleteFactor(db: Sequelize, owner: FactorOwner): Promise<number> {
  const [column, id] = ownerColumn(owner);
  return inTransaction(db, async (transaction) => {
    const codes = `DELETE FROM recovery_codes WHERE factor_id IN (SELECT id FROM second_factors WHERE ${column} = $1)`;
    await changed(db, codes, [id], transaction);
    return changed(db, `DELETE FROM second_factors WHERE ${column} = $1`, [id], transaction);
  });
}

/** The second factors and recovery codes of one connection (`deps.secondFactors`, made in storeOf). */
export const secondFactorRepository = (db: Sequelize) =>
  bindToDb(db, {
    find: findFactor,
    savePending: savePendingFactor,
    confirm: confirmFactor,
    reserveCodeCheck,
    clearCodeFailures,
    lockedUntil: factorLockedUntil,
    spendStep,
    spendRecoveryCode,
    countRecoveryCodes,
    delete: deleteFactor,
  });
export type SecondFactorRepository = ReturnType<typeof secondFactorRepository>;
