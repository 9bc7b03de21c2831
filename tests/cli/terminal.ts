import { spawn } from 'node:child_process';
import { JAWTH } from '../helpers/cli';

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `jawth ARGS` on a pseudo-terminal (util-linux `script`), answering each prompt once it
 * appears after the previous answer. The child is killed if it is still running after 20 s.
 */
export function onTerminal(
  dir: string,
  args: string[],
  answers: [prompt: string, answer: string][],
  env: Record<string, string> = {},
) {
  const command = [process.execPath, JAWTH, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', BCRYPT_COST: '10', ...env },
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
