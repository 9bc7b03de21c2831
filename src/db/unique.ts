import { UniqueConstraintError } from 'sequelize';
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
