import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JAWTH, runCli } from '../helpers/cli';

const PASSWORD = 'typed-pass-word-31';

/**
 * Runs `jawth init` on a pseudo-terminal (util-linux `script`), answering each prompt once it
 * appears after the previous answer. The child is killed if it is still running after 20 s.
 */
function initOnTerminal(dir: string, answers: [string, string][]) {
  const child = spawn('script', ['-qefc', `${process.execPath} ${JAWTH} init`, '/dev/null'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', BCRYPT_COST: '10' },
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  let output = '';
  let answered = 0;
  const pending = [...answers];
  child.stdout.on('data', (chunk) => {
    output += chunk;
    const next = pending[0];
    if (next && output.indexOf(next[0], answered) !== -1) {
      pending.shift();
      answered = output.length;
      child.stdin.write(`${next[1]}\r`);
    }
  });
  const code = new Promise<number | null>((resolve) =>
    child.once('close', (status) => {
      clearTimeout(guard);
      resolve(status);
    }),
  );
  return { output: () => output, code };
}

describe('jawth init on a terminal', () => {
  it('prompts for the username and a hidden, confirmed password, and never echoes it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-prompt-'));
    expect((await runCli(['conf'], dir)).code).toBe(0);

    const run = initOnTerminal(dir, [
      ['Admin username: ', 'keeper'],
      ['Admin password: ', PASSWORD],
      ['Repeat it: ', PASSWORD],
    ]);

    expect(await run.code).toBe(0);
    expect(run.output()).toContain('Created admin account "keeper"');
    expect(run.output()).not.toContain(PASSWORD);
  });
});
