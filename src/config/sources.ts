import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { DEFAULT_DATABASE_URL } from './config';

type Values = Record<string, string | undefined>;

/**
 * The `.env` jawth reads: the nearest one in the working directory or a folder above it (as git
 * finds `.git`), so that the server and the CLI, started anywhere inside an installation, read
 * the same file. Undefined when there is none.
 */
export function findDotenv(cwd = process.cwd()): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const file = path.join(dir, '.env');
    if (fs.existsSync(file)) return file;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export interface ConfigSources {
  values: Values;
  /** Where each key's value was read: a file's absolute path, or `the environment`. */
  origin: Record<string, string>;
  /** In words, which files were read: for the start line and every "missing key" message. */
  readFrom: string;
}

/**
 * The only reader of process.env. Precedence (docs/operations.md, Configuration): the environment,
 * then the nearest `.env` (findDotenv), then the JSON or `.env` file that JAWTH_CONFIG names.
 */
export function loadConfigSources(env: Values = process.env, cwd = process.cwd()): ConfigSources {
  const dotenvFile = findDotenv(cwd);
  const fromDotenv = dotenvFile ? dotenv.parse(fs.readFileSync(dotenvFile)) : {};
  const configPath = env.JAWTH_CONFIG ?? fromDotenv.JAWTH_CONFIG;
  const configFile = configPath ? path.resolve(cwd, configPath) : undefined;
  const fromFile = configFile ? readConfigFile(configFile) : {};
  const origin: Record<string, string> = {};
  const layers: [string, Values][] = [
    [configFile ?? '', fromFile],
    [dotenvFile ?? '', fromDotenv],
    ['the environment', env],
  ];
  for (const [where, values] of layers) {
    for (const [key, value] of Object.entries(values)) if (value !== undefined) origin[key] = where;
  }
  const files = [dotenvFile, configFile].filter((file): file is string => file !== undefined);
  const readFrom =
    files.length > 0
      ? `the environment and ${files.join(' and ')}`
      : `the environment (no .env in ${path.resolve(cwd)} or a folder above it)`;
  const values = { ...fromFile, ...fromDotenv, ...env };
  // A SQLite file named relative to a .env lives beside it: the CLI run from a subfolder opens
  // the server's database, not a new one.
  if (dotenvFile && (values.DATABASE_URL === undefined || origin.DATABASE_URL === dotenvFile)) {
    values.DATABASE_URL = besideDotenv(values.DATABASE_URL ?? DEFAULT_DATABASE_URL, path.dirname(dotenvFile));
  }
  return { values, origin, readFrom };
}

/** `sqlite:<relative path>` resolved against `dir`; other URLs as they are. */
function besideDotenv(url: string, dir: string): string {
  const file = /^sqlite:(?!:memory:)(.+)$/.exec(url)?.[1];
  return file && !path.isAbsolute(file) ? `sqlite:${path.resolve(dir, file)}` : url;
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
