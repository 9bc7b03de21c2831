import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';

type Values = Record<string, string | undefined>;

/**
 * The only reader of process.env. Precedence (docs/operations.md, Configuration): the environment, then `.env` in the
 * working directory, then the JSON or `.env` file that JAWTH_CONFIG names.
 */
export function readConfigSources(env: Values = process.env, cwd = process.cwd()): Values {
  return loadConfigSources(env, cwd).values;
}

export interface ConfigSources {
  values: Values;
  /** Where each key's value was read: a file's absolute path, or `the environment`. */
  origin: Record<string, string>;
}

/** readConfigSources, remembering where each value came from (the CLI names the file in its advice). */
export function loadConfigSources(env: Values = process.env, cwd = process.cwd()): ConfigSources {
  const dotenvFile = path.join(cwd, '.env');
  const fromDotenv = fs.existsSync(dotenvFile) ? dotenv.parse(fs.readFileSync(dotenvFile)) : {};
  const configPath = env.JAWTH_CONFIG ?? fromDotenv.JAWTH_CONFIG;
  const configFile = configPath ? path.resolve(cwd, configPath) : undefined;
  const fromFile = configFile ? readConfigFile(configFile) : {};
  const origin: Record<string, string> = {};
  const layers: [string, Values][] = [
    [configFile ?? '', fromFile],
    [dotenvFile, fromDotenv],
    ['the environment', env],
  ];
  for (const [where, values] of layers) {
    for (const [key, value] of Object.entries(values)) if (value !== undefined) origin[key] = where;
  }
  return { values: { ...fromFile, ...fromDotenv, ...env }, origin };
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
