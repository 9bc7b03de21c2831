'use strict';
// The jawth scenarios: arranged through the admin API, measured through HTTP.
const path = require('node:path');
const bcrypt = require('bcrypt');
const { ROOT } = require('./processes');
const { applicationId, insertUsers } = require('./database');
const { closedLoop } = require('./closed-loop');

const { signToken } = require(path.join(ROOT, 'dist', 'crypto', 'jwt'));

const APP = 'bench';
const PASSWORD = 'bench-Password-7731';
const LIST_USERS = 100_000;

function adminToken(keys, data, ttl = 60) {
  const iat = Math.floor(Date.now() / 1000);
  return signToken({ password: keys.JAWTH_KEY, ...(data ? { data } : {}), iat, exp: iat + ttl }, keys.SECRET_KEY);
}

async function adminRequest(server, keys, method, urlPath, data) {
  const res = await fetch(server.url + urlPath, { method, headers: { auth: `jwt ${adminToken(keys, data)}` } });
  const body = await res.text();
  if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${body}`);
  return body ? JSON.parse(body) : undefined;
}

async function login(server) {
  const res = await fetch(`${server.url}/${APP}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
  return res.json();
}

/** One application with a group, an org, the user alice and 100,000 more users. */
async function arrange(server, keys, databaseUrl, cost) {
  await adminRequest(server, keys, 'POST', '/applications', { name: APP });
  await adminRequest(server, keys, 'POST', `/${APP}/groups`, { name: 'staff' });
  await adminRequest(server, keys, 'POST', '/orgs', { name: 'acme' });
  await adminRequest(server, keys, 'POST', `/${APP}/users`, {
    username: 'alice',
    password: PASSWORD,
    groups: ['staff'],
    orgs: ['acme'],
  });
  const started = Date.now();
  const hash = await bcrypt.hash('bulk-user-password', cost);
  await insertUsers(databaseUrl, await applicationId(databaseUrl, APP), LIST_USERS, hash);
  return { insertSeconds: (Date.now() - started) / 1000 };
}

const json = { 'content-type': 'application/json' };

/**
 * Login: `connections` clients in a closed loop (closed-loop.js), each posting the right password
 * and waiting for the answer. `url` is jawth's login route or the ceiling server's
 * `/ceiling/login` (one bcrypt comparison behind bare Express), loaded the same way.
 */
function loginLoad(url, connections) {
  const body = JSON.stringify({ username: 'alice', password: PASSWORD });
  const operation = async () => {
    const res = await fetch(url, { method: 'POST', headers: json, body });
    await res.arrayBuffer();
    return res.ok || res.status;
  };
  return { operation, connections };
}

/** Login, jawth's or the ceiling's, in a closed loop of `connections` clients. */
function measureLogin(url, connections, window) {
  const { operation } = loginLoad(url, connections);
  return closedLoop(operation, connections, window);
}

/** autocannon options for the other scenarios. */
async function accessLoad(server, connections) {
  const { refresh_token } = await login(server);
  const body = JSON.stringify({ namespace: APP, refresh_token });
  return { url: `${server.url}/token/access/10m`, method: 'POST', headers: json, body, connections };
}

/**
 * Rotation spends each token: a shared queue holds unspent ones; a request takes one and its
 * answer puts the successor back. A slice that stops drops the tokens in flight (at most one per
 * connection), so `topUp()`, run before each slice and outside its timing, logs in until the
 * queue holds three tokens per connection again.
 */
async function refreshLoad(server, connections) {
  const queue = [];
  const topUp = async () => {
    const missing = connections * 3 - queue.length;
    if (missing <= 0) return;
    // Four at a time: the brute-force limiter reserves each attempt on the user's counter before
    // the comparison, and a burst of dozens of logins for one user can fill it (429).
    for (let done = 0; done < missing; done += 4) {
      const batch = Array.from({ length: Math.min(4, missing - done) }, () => login(server));
      queue.push(...(await Promise.all(batch)).map((l) => l.refresh_token));
    }
  };
  const request = {
    method: 'POST',
    path: `/${APP}/refresh`,
    headers: json,
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ refresh_token: queue.shift() ?? 'exhausted' }) }),
    onResponse: (status, body) => {
      if (status === 200) queue.push(JSON.parse(body).refresh_token);
    },
  };
  await topUp();
  return { options: { url: server.url, connections, requests: [request] }, topUp };
}

/** A page of 100 users at a random offset among 100,000, read by an admin. */
function listLoad(server, keys, connections) {
  const request = {
    method: 'GET',
    headers: { auth: `jwt ${adminToken(keys, undefined, 300)}` },
    setupRequest: (req) => ({
      ...req,
      path: `/${APP}/users?limit=100&offset=${Math.floor(Math.random() * (LIST_USERS - 100))}`,
    }),
  };
  return { url: server.url, connections, requests: [request] };
}

module.exports = { APP, LIST_USERS, arrange, login, loginLoad, measureLogin, accessLoad, refreshLoad, listLoad };
