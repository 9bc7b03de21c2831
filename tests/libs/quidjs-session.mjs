// Runs the real Quid JavaScript client (quidjs, ESM-only, which jest 29 cannot load) in plain
// Node: logs in through jawth, then GETs the API path. Prints one JSON line; never a token.
import process from 'node:process';
import { useQuidRequests } from 'quidjs';

const { QUID_URL, API_URL, API_PATH, NAMESPACE, QUID_USERNAME, QUID_PASSWORD } = process.env;
const quid = useQuidRequests({ quidUri: QUID_URL, serverUri: API_URL, namespace: NAMESPACE, verbose: false });

try {
  await quid.login(QUID_USERNAME, QUID_PASSWORD);
  const data = await quid.get(API_PATH);
  process.stdout.write(`${JSON.stringify({ ok: true, data, hasRefreshToken: quid.refreshToken !== null })}\n`);
} catch (error) {
  process.stdout.write(
    `${JSON.stringify({ ok: false, message: String(error.message), hasToLogin: error.hasToLogin })}\n`,
  );
  process.exitCode = 1;
}
