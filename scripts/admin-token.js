#!/usr/bin/env node
// Prints a signed admin request token from .env: node scripts/admin-token.js METHOD PATH [JSON data]
// The token is bound to METHOD and PATH (htm/htu) and lives 60 seconds.
const fs = require('node:fs');
const crypto = require('node:crypto');
const dotenv = require('dotenv');
const jwt = require('jsonwebtoken');

const env = { ...(fs.existsSync('.env') ? dotenv.parse(fs.readFileSync('.env')) : {}), ...process.env };
const [method, path, data] = process.argv.slice(2);
if (!method || !path || !env.SECRET_KEY || !env.JAWTH_KEY) {
  console.error('usage: node scripts/admin-token.js METHOD PATH [JSON data]  (SECRET_KEY and JAWTH_KEY from .env)');
  process.exit(2);
}
const claims = {
  password: env.JAWTH_KEY,
  htm: method.toUpperCase(),
  htu: path,
  ...(data ? { data: JSON.parse(data) } : {}),
};
const key = crypto.createSecretKey(Buffer.from(env.SECRET_KEY));
process.stdout.write(jwt.sign(claims, key, { algorithm: 'HS256', expiresIn: 60 }) + '\n');
