import { ForeignKeyConstraintError, UniqueConstraintError } from 'sequelize';
import { AppError } from '../errors';

/** Runs a write; a unique-constraint violation becomes 409 `conflict` with this message. */
export async function uniquely<T>(write: () => Promise<T>, conflict: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof UniqueConstraintError) throw new AppError('conflict', conflict, undefined, { cause: error });
    throw error;
  }
}

/**
 * Runs a write under a parent row read just before (a user's application): when a concurrent
 * delete took the parent meanwhile, the foreign-key violation (SQLite and PostgreSQL alike)
 * becomes 404 `not_found` with this message, as if the delete had come first.
 */
export async function underParent<T>(write: () => Promise<T>, missing: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ForeignKeyConstraintError) {
      throw new AppError('not_found', missing, undefined, { cause: error });
    }
    throw error;
  }
}
