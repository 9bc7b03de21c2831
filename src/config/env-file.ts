import fs from 'node:fs';
import { randomSecret } from '../crypto/random';

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
  fs.writeFileSync(file, body, { mode: 0o600, flag: options.force ? 'w' : 'wx' });
  fs.chmodSync(file, 0o600);
}
