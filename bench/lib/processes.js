'use strict';
// Child processes the bench measures: a jawth from dist/, and the bare Express ceiling server.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, child, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}: not up after ${timeoutMs} ms`);
}

function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return 0;
  }
}

/** The children of a process (cluster workers), from /proc (Linux). */
function childPids(pid) {
  try {
    const tasks = fs.readdirSync(`/proc/${pid}/task`);
    return tasks.flatMap((task) =>
      fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean),
    );
  } catch {
    return [];
  }
}

/** Resident set size of a process and its children (a cluster's workers), in MB. */
function rssMb(pid) {
  const kb = [pid, ...childPids(pid)].reduce((sum, p) => sum + rssKb(p), 0);
  return kb === 0 ? null : Math.round(kb / 102.4) / 10;
}

/** CPU time (user + system) of a process and its children (a cluster's workers), in ms (Linux). */
function cpuMs(pid) {
  const ticks = (p) => {
    try {
      const fields = fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      return 0;
    }
  };
  return [pid, ...childPids(pid)].reduce((sum, p) => sum + ticks(p), 0) * (1000 / CLOCK_TICKS);
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts `node dist/server.js` in an empty folder (so that no .env of the checkout is read). */
async function startJawth(env) {
  const port = await freePort();
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-bench-cwd-'));
  const stderr = [];
  const child = spawn(process.execPath, [...(env.NODE_ARGS ?? []), path.join(ROOT, 'dist', 'server.js')], {
    cwd,
    env: { ...process.env, ...env.vars, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/health`, child);
  } catch (error) {
    await stop(child);
    throw new Error(`${error.message}\n${Buffer.concat(stderr).toString()}`, { cause: error });
  }
  return {
    url,
    pid: child.pid,
    rss: () => rssMb(child.pid),
    cpu: () => cpuMs(child.pid),
    stop: async () => {
      await stop(child);
      fs.rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/** Starts bench/ceiling-server.js: bare Express routes that do the same HTTP work as jawth's. */
async function startCeilingServer(secret, workers = 1, nodeArgs = [], bcryptCost = 12) {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, path.join(__dirname, '..', 'ceiling-server.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      CEILING_SECRET: secret,
      CEILING_WORKERS: String(workers),
      CEILING_BCRYPT_COST: String(bcryptCost),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/open`, child);
  return { url, pid: child.pid, rss: () => rssMb(child.pid), cpu: () => cpuMs(child.pid), stop: () => stop(child) };
}

module.exports = { ROOT, freePort, rssMb, cpuMs, startJawth, startCeilingServer };
