import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';

type Values = Record<string, string | undefined>;

/**
 * The only reader of process.env. Precedence (contract §5): the environment, then `.env` in the
 * working directory, then the JSON or `.env` file that JAWTH_CONFIG names.
 */
export function readConfigSources(env: Values = process.env, cwd = process.cwd()): Values {
  const dotenvFile = path.join(cwd, '.env');
  const fromDotenv = fs.existsSync(dotenvFile) ? dotenv.parse(fs.readFileSync(dotenvFile)) : {};
  const configPath = env.JAWTH_CONFIG ?? fromDotenv.JAWTH_CONFIG;
  const fromFile = configPath ? readConfigFile(path.resolve(cwd, configPath)) : {};
  return { ...fromFile, ...fromDotenv, ...env };
}

function readConfigFile(file: string): Values {
  const text = fs.readFileSync(file, 'utf8');
  if (!file.endsWith('.json')) return dotenv.parse(text);
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`JAWTH_CONFIG file ${file} must hold a JSON object`);
  }
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
}
