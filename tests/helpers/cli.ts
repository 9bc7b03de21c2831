import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The built CLI, run as a user would run it. */
export const JAWTH = path.resolve(__dirname, '../../dist/cli/jawth.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Only PATH leaks in from the test's environment: the CLI must find everything else itself. */
const childEnv = (env: Record<string, string>) => ({ PATH: process.env.PATH ?? '', ...env });

/** A Node script run as a user would run it, to its end; only PATH leaks in (childEnv). */
export function runNode(
  script: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export const runCli = (args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> =>
  runNode(JAWTH, args, cwd, env);

/** The production entry, `node dist/server.js`. */
export const SERVER = path.resolve(__dirname, '../../dist/server.js');

export interface Running {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output: () => string;
}

function startNode(script: string, args: string[], cwd: string, env: Record<string, string>): Running {
  let output = '';
  const child = spawn(process.execPath, [script, ...args], { cwd, env: childEnv(env) });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

export function startCli(args: string[], cwd: string, env: Record<string, string> = {}): Running {
  return startNode(JAWTH, args, cwd, env);
}

export function startServer(cwd: string, env: Record<string, string> = {}): Running {
  return startNode(SERVER, [], cwd, env);
}

export async function waitFor(check: () => boolean, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve),
  );

/** The URL of every "jawth listening on" log line so far. */
export const listeningUrls = (output: string) =>
  [...output.matchAll(/jawth listening on (http:\/\/[^"\s]+)"/g)].map((match) => match[1]);

/** A stack trace line, which no CLI error may show. */
export const STACK_LINE = /^\s+at .+:\d+/m;
