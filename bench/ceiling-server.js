'use strict';
// The ceilings of the HTTP scenarios, measured in the same run as jawth: bare Express routes with
// no database, no helmet and no logging.
//   POST /ceiling/access  parses the same body as /token/access, verifies one HS256 token, signs one.
//   GET  /open            the verify scenario's route without the jawth/express middleware;
//   GET  /protected       the same route behind it.
const crypto = require('node:crypto');
const path = require('node:path');
const express = require('express');
const jsonwebtoken = require('jsonwebtoken');

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

const handler = (req, res) => res.json({ ok: true, user: req.auth ? req.auth.username : null });
app.get('/open', handler);
app.get('/protected', loadMiddleware()({ secret, issuer: 'jawth' }), handler);

/** jawth/express from dist/ when it is built; until then a minimal HS256 stand-in (reported). */
function loadMiddleware() {
  try {
    const { jawthAuth } = require(path.resolve(__dirname, '..', 'dist', 'express'));
    if (typeof jawthAuth === 'function') return jawthAuth;
  } catch {
    // not on this branch yet
  }
  process.stderr.write('bench: dist/express not found, verify uses a local HS256 stand-in\n');
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
