import { sendAdminRequest } from './admin-client';
import { loadSettings, serverUrl } from './settings';

export type Call = (method: string, path: string, data?: unknown) => Promise<unknown>;

/** A signed admin API caller for the server named by --url, JAWTH_URL or the config. */
export function remote(options: { url?: string }): Call {
  const settings = loadSettings();
  const url = serverUrl(options.url, settings);
  return async (method, path, data) => (await sendAdminRequest(url, settings, method, path, data)).body;
}

/** A path segment, escaped. */
export const seg = (text: string) => encodeURIComponent(text);
