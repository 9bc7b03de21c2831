import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JAWTH, exited, listeningUrls, startServer, waitFor, type Running } from '../helpers/cli';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';

/**
 * The shell examples of docs/ that a reader would paste, run as written against a real server:
 * every ```sh block right after a `<!-- example -->` line, in page order, in one bash per page
 * (so a variable set by one block is there in the next). `curl` fails on an HTTP error and
 * `set -e` stops at the first failing command, so an example whose request or answer no longer
 * matches the server fails here. The only rewrites: http://127.0.0.1:5000 becomes the test
 * server's address, and the shop's webhook endpoint a receiver the test runs. Needs bash, curl
 * and jq (npm run test:all).
 */
const DOCS = path.resolve(__dirname, '../../docs');
const MARK = '<!-- example -->';

export function examplesOf(markdown: string): string[] {
  const lines = markdown.split('\n');
  const blocks: string[] = [];
  lines.forEach((line, i) => {
    if (line.trim() !== MARK) return;
    // prettier puts a blank line between the mark and the fence
    const fence = lines.findIndex((l, j) => j > i && l.trim() !== '');
    if (!/^```(sh|bash)\s*$/.test(lines[fence] ?? ''))
      throw new Error(`line ${i + 1}: ${MARK} must precede a sh block`);
    const end = lines.findIndex((l, j) => j > fence && l.startsWith('```'));
    blocks.push(lines.slice(fence + 1, end).join('\n'));
  });
  return blocks;
}

const PRELUDE = `set -euo pipefail
curl() { command curl --silent --show-error --fail-with-body "$@"; echo; }
npx() { [ "$1" = jawth ] || { echo "npx $1: only npx jawth runs in the examples" >&2; return 1; }; shift; node "$JAWTH_CLI" "$@"; }
`;

const pages = fs
  .readdirSync(DOCS)
  .filter((name) => name.endsWith('.md'))
  .map((name) => ({ name, blocks: examplesOf(fs.readFileSync(path.join(DOCS, name), 'utf8')) }))
  .filter((page) => page.blocks.length > 0);

describe('the shell examples in docs/', () => {
  it('are marked in the pages that show requests', () => {
    expect(pages.map((page) => page.name)).toContain('api.md');
  });

  describe.each(pages)('docs/$name', ({ blocks }) => {
    let dir: string;
    let server: Running;
    let url: string;
    let receiver: Receiver;

    beforeAll(async () => {
      receiver = await startReceiver(204);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-docs-'));
      server = startServer(dir, { PORT: '0', BCRYPT_COST: '10', WEBHOOK_ALLOW_PRIVATE: 'true' });
      await waitFor(() => listeningUrls(server.output()).length > 0);
      url = listeningUrls(server.output())[0];
    });
    afterAll(async () => {
      server.child.kill('SIGTERM');
      await exited(server.child);
      await receiver.close();
    });

    it('every example runs as written, in order', () => {
      const script = [PRELUDE, ...blocks.map((block, i) => `echo "example ${i + 1}" >&2\n${block}`)]
        .join('\n')
        .replaceAll('http://127.0.0.1:5000', url)
        .replaceAll('https://shop.example.com/hooks/jawth', receiver.url);
      const result = spawnSync('bash', ['-c', script], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: dir, JAWTH_CLI: JAWTH, JAWTH_URL: url },
        encoding: 'utf8',
        timeout: 120000,
      });
      const reached = [...result.stderr.matchAll(/^example (\d+)$/gm)].map((m) => Number(m[1]));
      const failed = reached.at(-1) ?? 1;
      if (result.status !== 0) {
        throw new Error(
          `example ${failed} failed (exit ${result.status}):\n${blocks[failed - 1]}\n--- output\n${result.stdout}\n${result.stderr}`,
        );
      }
      expect(reached).toEqual(blocks.map((_b, i) => i + 1));
      expect(result.stderr.replace(/^example \d+\n/gm, '')).toBe('');
    });
  });
});
