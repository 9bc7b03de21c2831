// An application that sends its own sign-up and recovery mails: jawth runs without SMTP_URL and
// posts `user.signup_confirmation_requested` and `user.recovery_requested` to this receiver
// through the application's webhooks (Standard Webhooks signatures). From the repository:
//   WEBHOOK_SECRET=whsec_… PUBLIC_URL=https://shop.example.com/account \
//   SMTP_URL=smtp://user:pass@mail.example.com:587 node examples/account-mail-webhook/server.js
// Without SMTP_URL the mail is printed as one JSON line instead of sent (handy to try it out).
const express = require('express');
const nodemailer = require('nodemailer');
const { Webhook, WebhookVerificationError } = require('standardwebhooks');

const { WEBHOOK_SECRET, PUBLIC_URL, SMTP_URL } = process.env;
if (!WEBHOOK_SECRET || !PUBLIC_URL) {
  console.error("WEBHOOK_SECRET (the webhook's whsec_… secret) and PUBLIC_URL (the page the links open) are required");
  process.exit(1);
}
const webhook = new Webhook(WEBHOOK_SECRET);
const from = process.env.MAIL_FROM || 'Shop <accounts@shop.example.com>';
const transport = SMTP_URL ? nodemailer.createTransport({ url: SMTP_URL, connectionTimeout: 5000 }) : undefined;

/** The two mails; the token goes in the fragment, which browsers never send to a server. */
const MAILS = {
  'user.signup_confirmation_requested': (data, link) => ({
    subject: 'Confirm your account',
    text: `Hello ${data.username},\n\nconfirm your account: ${link}\n\nThe link works once, until ${data.expires_at}.\n`,
  }),
  'user.recovery_requested': (data, link) => ({
    subject: 'Reset your password',
    text: `Hello ${data.username},\n\nchoose a new password: ${link}\n\nThe link works once, until ${data.expires_at}.\n`,
  }),
};

async function deliver(message) {
  if (transport) await transport.sendMail(message);
  else console.log(JSON.stringify({ mail: message }));
}

const app = express();
app.disable('x-powered-by');

// The raw body: the signature covers the exact bytes jawth sent.
app.post('/jawth-webhook', express.raw({ type: '*/*', limit: '64kb' }), async (req, res) => {
  let event;
  try {
    event = webhook.verify(req.body, req.headers);
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return res.status(401).json({ error: 'bad signature' });
  }
  const write = MAILS[event.type];
  // Other events are acknowledged and ignored: jawth must not retry them.
  if (!write || !event.data.email) return res.status(204).end();
  const link = `${PUBLIC_URL}#token=${encodeURIComponent(event.data.token)}`;
  await deliver({ from, to: event.data.email, ...write(event.data, link) });
  res.status(204).end();
});

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, process.env.HOST || '127.0.0.1', () => {
  const { address, port: actual } = server.address();
  console.log(JSON.stringify({ listening: `http://${address}:${actual}` }));
});
process.on('SIGTERM', () => server.close());
process.on('SIGINT', () => server.close());
