'use strict';
// The jawth scenarios: arranged through the admin API, measured through HTTP.
const path = require('node:path');
const bcrypt = require('bcrypt');
const { ROOT } = require('./processes');
const { applicationId, insertUsers } = require('./database');

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

/** autocannon options for each scenario. */
function loginLoad(server) {
  const body = JSON.stringify({ username: 'alice', password: PASSWORD });
  return {
    url: `${server.url}/${APP}/login`,
    method: 'POST',
    headers: json,
    body,
    connections: Number(process.env.LOGIN_CONNS || 8),
  };
}

async function accessLoad(server, connections) {
  const { refresh_token } = await login(server);
  const body = JSON.stringify({ namespace: APP, refresh_token });
  return { url: `${server.url}/token/access/10m`, method: 'POST', headers: json, body, connections };
}

/**
 * Rotation spends each token: a shared queue holds unspent ones; a request takes one and its
 * answer puts the successor back. Logins fill it with more tokens than connections, because a
 * run that stops drops the tokens in flight.
 */
async function refreshLoad(server, connections) {
  const queue = [];
  const logins = await Promise.all(Array.from({ length: connections * 4 }, () => login(server)));
  queue.push(...logins.map((l) => l.refresh_token));
  const request = {
    method: 'POST',
    path: `/${APP}/refresh`,
    headers: json,
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ refresh_token: queue.shift() ?? 'exhausted' }) }),
    onResponse: (status, body) => {
      if (status === 200) queue.push(JSON.parse(body).refresh_token);
    },
  };
  return { url: server.url, connections, requests: [request] };
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

module.exports = { APP, LIST_USERS, arrange, login, loginLoad, accessLoad, refreshLoad, listLoad };
