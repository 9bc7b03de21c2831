/** How long `jawth init` waits for a running server's /health before saying none is running. */
const PROBE_TIMEOUT_MS = 1000;

/** Whether a jawth answers at `baseUrl` (GET /health says ok): nothing is ever sent but the probe. */
export async function isServerRunning(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = (await response.json()) as { status?: unknown };
    return response.ok && body.status === 'ok';
  } catch {
    return false;
  }
}
