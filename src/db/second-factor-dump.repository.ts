import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/** A user's confirmed factor as a dump carries it (the secret still sealed). */
export interface DumpedFactor {
  secret: string;
  confirmedAt: number;
  lastStep: number | null;
  recoveryCodeHashes: string[];
}

/** The confirmed factors of these users, by user id (pending enrolments are not moved). */
export async function factorsOfUsers(
  db: Sequelize,
  userIds: number[],
  transaction?: Transaction,
): Promise<Map<number, DumpedFactor>> {
  const result = new Map<number, DumpedFactor>();
  if (userIds.length === 0) return result;
  const factors = await db.query<Record<string, unknown>>(
    `SELECT id, user_id, secret, confirmed_at, last_step FROM second_factors
      WHERE user_id IN (:ids) AND confirmed_at IS NOT NULL`,
    { replacements: { ids: userIds }, type: QueryTypes.SELECT, transaction },
  );
  if (factors.length === 0) return result;
  const codes = await db.query<{ factor_id: number | string; code_hash: string }>(
    'SELECT factor_id, code_hash FROM recovery_codes WHERE factor_id IN (:ids) ORDER BY code_hash',
    { replacements: { ids: factors.map((f) => Number(f.id)) }, type: QueryTypes.SELECT, transaction },
  );
  for (const factor of factors) {
    result.set(Number(factor.user_id), {
      secret: String(factor.secret),
      confirmedAt: Number(factor.confirmed_at),
      lastStep: factor.last_step === null ? null : Number(factor.last_step),
      recoveryCodeHashes: codes.filter((c) => Number(c.factor_id) === Number(factor.id)).map((c) => c.code_hash),
    });
  }
  return result;
}

/** Stores an imported user's factor as it was exported. */
export async function insertFactor(
  db: Sequelize,
  userId: number,
  factor: DumpedFactor,
  now: Date,
  transaction: Transaction,
): Promise<void> {
  await db.query(
    'INSERT INTO second_factors (user_id, secret, confirmed_at, last_step, created_at) VALUES ($1, $2, $3, $4, $5)',
    { bind: [userId, factor.secret, factor.confirmedAt, factor.lastStep, now.getTime()], transaction },
  );
  const [row] = await db.query<{ id: number | string }>('SELECT id FROM second_factors WHERE user_id = $1', {
    bind: [userId],
    type: QueryTypes.SELECT,
    transaction,
  });
  for (const hash of factor.recoveryCodeHashes) {
    await db.query('INSERT INTO recovery_codes (factor_id, code_hash) VALUES ($1, $2)', {
      bind: [Number(row.id), hash],
      transaction,
    });
  }
}
