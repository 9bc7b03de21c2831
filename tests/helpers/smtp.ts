import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestSmtp {
  /** smtp://user:password@127.0.0.1:port of this server. */
  url: string;
  password: string;
  /** The next mail to this address (one already received, or the next to arrive). */
  mailTo(address: string): Promise<ParsedMail>;
  /** Every mail received so far. */
  received(): ParsedMail[];
  close(): Promise<void>;
}

/** A real SMTP server in the test process (no TLS, any credentials), whose mails are parsed; on `port` if given. */
export async function startSmtp(port = 0): Promise<TestSmtp> {
  const mails: ParsedMail[] = [];
  const waiting = new Map<string, ((mail: ParsedMail) => void)[]>();
  const taken = new Set<ParsedMail>();
  const recipients = (mail: ParsedMail) =>
    [mail.to ?? []].flat().flatMap((to) => to.value.map((v) => (v.address ?? '').toLowerCase()));
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        mails.push(mail);
        for (const address of recipients(mail)) {
          const waiter = waiting.get(address)?.shift();
          if (waiter) {
            taken.add(mail);
            waiter(mail);
          }
        }
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const listening = (server.server.address() as AddressInfo).port;
  const password = 'smtp-secret-pass';
  return {
    url: `smtp://mailer:${password}@127.0.0.1:${listening}`,
    password,
    mailTo(address) {
      const key = address.toLowerCase();
      const ready = mails.find((mail) => !taken.has(mail) && recipients(mail).includes(key));
      if (ready) {
        taken.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise((resolve) => waiting.set(key, [...(waiting.get(key) ?? []), resolve]));
    },
    received: () => mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The link a text mail carries (the first http(s) URL), and the token in its fragment. */
export function linkIn(mail: ParsedMail): { link: string; token: string } {
  const link = /https?:\/\/\S+/.exec(mail.text ?? '')?.[0];
  if (!link) throw new Error(`no link in: ${mail.text ?? ''}`);
  const token = new URLSearchParams(new URL(link).hash.slice(1)).get('token');
  if (!token) throw new Error(`no token in ${link}`);
  return { link, token };
}
