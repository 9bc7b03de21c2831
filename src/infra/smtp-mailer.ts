import type { Transporter } from 'nodemailer';

/**
 * Bounded, so that a server that does not answer cannot hold a mail (and its memory) for long:
 * nodemailer's own defaults are 2 minutes to connect, 30 s for the greeting and 10 minutes idle.
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 10000 };
/** A send that has not finished by then is given up, whatever stage it hangs in. */
export const SEND_DEADLINE_MS = 20_000;
/** Mails sent at once per SMTP server; the next ones wait their turn. */
export const MAX_IN_FLIGHT = 8;
/** Mails waiting for a turn; past it a mail is refused at once rather than held in memory. */
export const MAX_WAITING = 500;

export interface OutgoingMail {
  from?: string;
  to: string;
  subject: string;
  text: string;
}

export interface MailerOptions {
  timeouts?: Partial<typeof SMTP_TIMEOUTS>;
  deadlineMs?: number;
  maxInFlight?: number;
  maxWaiting?: number;
}

/** Sends through one SMTP server, at most `maxInFlight` at once, each within its deadline. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}

/** An error with the `code` the log line shows (as nodemailer's errors carry). */
function mailError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * The transport is built from the URL's parts plus the timeouts: given `{url, ...timeouts}`,
 * nodemailer keeps the URL's options only and drops the rest. nodemailer's own parser reads the
 * URL, so that every SMTP_URL that worked before (query options included) means the same.
 */
function createTransport(smtpUrl: string, timeouts: typeof SMTP_TIMEOUTS): Transporter {
  // Loaded at the first mail: 12 MB that a server without SMTP_URL never needs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodemailer = require('nodemailer') as typeof import('nodemailer');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseConnectionUrl } = require('nodemailer/lib/shared') as {
    parseConnectionUrl(url: string): Record<string, unknown>;
  };
  return nodemailer.createTransport({ ...parseConnectionUrl(smtpUrl), ...timeouts });
}

export function createMailer(smtpUrl: string, options: MailerOptions = {}): Mailer {
  const transport = createTransport(smtpUrl, { ...SMTP_TIMEOUTS, ...options.timeouts });
  const deadlineMs = options.deadlineMs ?? SEND_DEADLINE_MS;
  const maxInFlight = options.maxInFlight ?? MAX_IN_FLIGHT;
  const maxWaiting = options.maxWaiting ?? MAX_WAITING;
  let inFlight = 0;
  const waiting: (() => void)[] = [];

  const turn = async (): Promise<void> => {
    if (inFlight < maxInFlight) {
      inFlight += 1;
      return;
    }
    if (waiting.length >= maxWaiting) throw mailError(`${maxWaiting} mails wait already`, 'EQUEUEFULL');
    // The place is handed over by the mail that finishes (inFlight stays as it is).
    await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const done = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlight -= 1;
  };

  return {
    async send(mail) {
      await turn();
      let timer: NodeJS.Timeout | undefined;
      try {
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(mailError(`not sent within ${deadlineMs} ms`, 'ETIMEDOUT')), deadlineMs);
        });
        await Promise.race([transport.sendMail(mail), deadline]);
      } finally {
        clearTimeout(timer);
        done();
      }
    },
  };
}
