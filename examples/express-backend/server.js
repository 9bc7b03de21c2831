// An application's own backend trusting jawth's tokens, with jawth/express. From the repository:
//   npm run build && APP_SECRET=<the application's secret> node examples/express-backend/server.js
// In an application of your own, `npm install @jawth/express express`, then
// `require('@jawth/express')`: the same middleware, built from packages/express.
const express = require('express');
const { jawthAuth } = require('jawth/express');

const secret = process.env.APP_SECRET;
if (!secret) {
  console.error('APP_SECRET is required: the secret jawth generated for the application');
  process.exit(1);
}
// audience only when the application sets one in jawth; issuer is jawth's ISSUER.
const verify = { secret, issuer: process.env.JAWTH_ISSUER || 'jawth', audience: process.env.APP_AUDIENCE || undefined };

const app = express();
app.disable('x-powered-by');

app.get('/health', (_req, res) => {
  res.json({ ok: true });
});

// Any user of the application.
app.get('/me', jawthAuth(verify), (req, res) => {
  const { username, id, role, groups, orgs } = req.auth;
  res.json({ username, id, role, groups, orgs });
});

// Only users whose role is admin.
app.get('/admin/report', jawthAuth({ ...verify, requireRole: 'admin' }), (req, res) => {
  res.json({ report: 'for admins only', requested_by: req.auth.username });
});

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, process.env.HOST || '127.0.0.1', () => {
  const { address, port: actual } = server.address();
  console.log(JSON.stringify({ listening: `http://${address}:${actual}` }));
});
process.on('SIGTERM', () => server.close());
process.on('SIGINT', () => server.close());
