'use strict';
// The ceilings of the HTTP scenarios, measured in the same run as jawth: bare Express routes with
// no database, no helmet and no logging.
//   POST /ceiling/access  parses the same body as /token/access, verifies one HS256 token, signs one.
//   POST /ceiling/login   parses the same body as /:app/login and makes one bcrypt comparison at
//                         CEILING_BCRYPT_COST, on libuv's thread pool as jawth does.
//   GET  /open            the verify scenario's route without the jawth/express middleware;
//   GET  /protected       the same route behind it.
// CEILING_WORKERS=2 runs it on two node:cluster workers, as jawth's WORKERS=2 rows are.
const cluster = require('node:cluster');
const crypto = require('node:crypto');
const path = require('node:path');
const bcrypt = require('bcrypt');
const express = require('express');
const jsonwebtoken = require('jsonwebtoken');

const workers = Number(process.env.CEILING_WORKERS || 1);
if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers)) worker.kill('SIGTERM');
    process.exit(0);
  });
  return;
}

const secret = process.env.CEILING_SECRET;
const key = crypto.createSecretKey(Buffer.from(secret, 'utf8'));
const app = express();

app.post('/ceiling/access', express.json({ limit: 16 * 1024, type: () => true }), (req, res) => {
  const claims = jsonwebtoken.verify(req.body.refresh_token, key, { algorithms: ['HS256'] });
  const iat = Math.floor(Date.now() / 1000);
  const token = jsonwebtoken.sign({ username: claims.username, app: req.body.namespace, iat, exp: iat + 600 }, key, {
    algorithm: 'HS256',
  });
  res.json({ token });
});

const hash = bcrypt.hash('bench-Password-7731', Number(process.env.CEILING_BCRYPT_COST || 12));
app.post('/ceiling/login', express.json({ limit: 16 * 1024 }), async (req, res) => {
  const matches = await bcrypt.compare(String(req.body.password), await hash);
  res.status(matches ? 200 : 401).json({ matches });
});

const handler = (req, res) => res.json({ ok: true, user: req.auth ? req.auth.username : null });
app.get('/open', handler);
app.get('/protected', loadMiddleware()({ secret, issuer: 'jawth' }), handler);

/** jawth/express (packages/express) when it is built; until then a minimal HS256 stand-in (reported). */
function loadMiddleware() {
  try {
    const { jawthAuth } = require(path.resolve(__dirname, '..', 'packages', 'express'));
    if (typeof jawthAuth === 'function') return jawthAuth;
  } catch {
    // not on this branch yet
  }
  process.stderr.write('bench: packages/express/dist not found, verify uses a local HS256 stand-in\n');
  return (options) => {
    const verifyKey = crypto.createSecretKey(Buffer.from(options.secret, 'utf8'));
    return (req, res, next) => {
      const match = /^Bearer (\S+)$/.exec(req.headers.authorization || '');
      try {
        req.auth = jsonwebtoken.verify(match[1], verifyKey, { algorithms: ['HS256'], issuer: options.issuer });
      } catch {
        return res.status(401).json({ error: 'unauthorized', message: 'The token is invalid.' });
      }
      return next();
    };
  };
}

app.listen(Number(process.env.PORT), '127.0.0.1');
// Exit on SIGTERM rather than die of it, so that `--cpu-prof` writes its profile.
process.on('SIGTERM', () => process.exit(0));
