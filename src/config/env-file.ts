import fs from 'node:fs';
import { randomSecret } from '../crypto/random';
import { openPrivateFile } from '../files/private-files';

/**
 * Writes a `.env` with fresh SECRET_KEY and JAWTH_KEY, readable by its owner only.
 * Refuses to replace an existing file unless `force` is set. Used on first start and by `jawth conf`.
 */
export function writeEnvFile(file: string, options: { force?: boolean } = {}): void {
  const body = [
    '# Written by jawth. Keep this file private: these keys control every application.',
    '# Every setting is described in .env.example.',
    `SECRET_KEY=${randomSecret()}`,
    `JAWTH_KEY=${randomSecret()}`,
    '',
  ].join('\n');
  const fd = openPrivateFile(file, { exclusive: !options.force });
  try {
    fs.writeFileSync(fd, body);
  } finally {
    fs.closeSync(fd);
  }
}
