import { sendAdminRequest } from './admin-client';
import { loadSettings, serverUrl } from './settings';

export type Call = (method: string, path: string, data?: unknown) => Promise<unknown>;

/** A signed admin API caller for the server named by --url, JAWTH_URL or the config. */
export function remote(options: { url?: string }): Call {
  const settings = loadSettings();
  const url = serverUrl(options.url, settings);
  return async (method, path, data) => (await sendAdminRequest(url, settings, method, path, data)).body;
}

/** One page of a list: its rows and how many there are in all (X-Total-Count). */
export async function remotePage(
  options: { url?: string },
  path: string,
): Promise<{ rows: Record<string, unknown>[]; total: number }> {
  const settings = loadSettings();
  const answer = await sendAdminRequest(serverUrl(options.url, settings), settings, 'GET', path);
  const rows = Array.isArray(answer.body) ? (answer.body as Record<string, unknown>[]) : [];
  return { rows, total: answer.total ?? rows.length };
}

/** A path segment, escaped. */
export const seg = (text: string) => encodeURIComponent(text);
