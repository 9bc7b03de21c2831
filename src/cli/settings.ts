import { ConfigError, parseConfig, type Config } from '../config/config';
import { loadConfigSources } from '../config/sources';
import { CliError } from './errors';

export interface Settings {
  config: Config;
  /** Every raw value (environment, .env, JAWTH_CONFIG), for the CLI's own keys such as JAWTH_URL. */
  raw: Record<string, string | undefined>;
  /** Where SECRET_KEY and JAWTH_KEY were read (a file's path or the environment), for advice. */
  keysFrom: string;
}

/** The server's configuration, read as the server reads it; a missing key says how to make one. */
export function loadSettings(): Settings {
  const { values: raw, origin, readFrom } = loadConfigSources();
  try {
    const config = { ...parseConfig(raw), readFrom };
    return { config, raw, keysFrom: describeOrigin(origin.SECRET_KEY, origin.JAWTH_KEY) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CliError(
      `${error.message}\nSettings were read from ${readFrom}. Run jawth in the folder the server runs in (or ` +
        'below it) to use its keys; `jawth conf` writes a .env with fresh keys, which only a new server would share.',
    );
  }
}

function describeOrigin(secretKeyFrom: string | undefined, jawthKeyFrom: string | undefined): string {
  if (secretKeyFrom === jawthKeyFrom) return secretKeyFrom ?? 'the environment';
  return `${secretKeyFrom ?? 'the environment'} (SECRET_KEY) and ${jawthKeyFrom ?? 'the environment'} (JAWTH_KEY)`;
}

/** Where the running server is: --url, else JAWTH_URL, else HOST and PORT of the configuration. */
export function serverUrl(given: string | undefined, settings: Pick<Settings, 'config' | 'raw'>): string {
  const url = given ?? settings.raw.JAWTH_URL;
  if (url) return url.replace(/\/+$/, '');
  const { host, port } = settings.config;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}
