import { ConfigError } from '../config/config';
import { AppError } from '../errors';
import { NotMigrated } from '../db/migrator';

/** A failure the CLI explains in one sentence, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The text a user sees for any error: known errors by their message, others by their first line. */
export function describeError(error: unknown): string {
  if (error instanceof CliError || error instanceof ConfigError || error instanceof NotMigrated) return error.message;
  // The API's messages name every field that was refused: the details are for forms.
  if (error instanceof AppError) return error.message;
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}
