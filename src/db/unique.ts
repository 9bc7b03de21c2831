import { ForeignKeyConstraintError, UniqueConstraintError } from 'sequelize';
import { AppError, type ErrorCode } from '../errors';

/** Runs a write; a unique-constraint violation becomes this 409 code (`username_taken`…) with this message. */
export async function uniquely<T>(write: () => Promise<T>, taken: ErrorCode, message: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof UniqueConstraintError) throw new AppError(taken, message, undefined, { cause: error });
    throw error;
  }
}

/**
 * Runs a write under a parent row read just before (a user's application): when a concurrent
 * delete took the parent meanwhile, the foreign-key violation (SQLite and PostgreSQL alike)
 * becomes this 404 code (`application_not_found`…) with this message, as if the delete had come first.
 */
export async function underParent<T>(write: () => Promise<T>, missing: ErrorCode, message: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ForeignKeyConstraintError) {
      throw new AppError(missing, message, undefined, { cause: error });
    }
    throw error;
  }
}
