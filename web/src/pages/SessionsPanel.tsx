import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError, type ApiClient } from '../api/client';
import type { User, UserSession } from '../api/types';
import { ErrorText, Loading, useAction } from '../components/common';
import { shortUserAgent } from '../components/user-agent';

const PAGE_SIZE = 20;
/** The confirmation open for every session at once, rather than for one session's id. */
const ALL = Symbol('all sessions');

interface Props {
  api: ApiClient;
  app: string;
  /** A new object after every change to the user (a new password or disabling ends sessions too). */
  user: User;
}

/** A new object for every load (page, "Refresh", a revocation), so each one runs. */
interface Request {
  offset: number;
}

const when = (at: string) => new Date(at).toLocaleString();

function Time({ at }: { at: string }) {
  return (
    <time dateTime={at} title={at}>
      {when(at)}
    </time>
  );
}

/** The user's live sessions (refresh families), newest first, each revocable on its own. */
export function SessionsPanel({ api, app, user }: Props) {
  const { username } = user;
  const [request, setRequest] = useState<Request>(() => ({ offset: 0 }));
  /** The sessions shown and the request they answer: they stay until the next answer arrives. */
  const [result, setResult] = useState<{ request: Request; sessions: UserSession[]; total: number } | null>(null);
  const [failure, setFailure] = useState<{ request: Request; error: unknown } | null>(null);
  const [confirm, setConfirm] = useState<string | typeof ALL | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const revoke = useAction();
  const ids = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const confirmBox = useRef<HTMLDivElement>(null);
  const openers = useRef(new Map<string | typeof ALL, HTMLButtonElement>());
  const returnTo = useRef<string | typeof ALL | null>(null);

  useEffect(() => {
    // Only the answer to the latest request is kept, whatever order the answers arrive in.
    let current = true;
    api.listSessions(app, username, { limit: PAGE_SIZE, offset: request.offset }).then(
      (page) => {
        if (!current) return;
        // The last session of a later page was revoked: show the page before it.
        if (page.items.length === 0 && request.offset > 0)
          setRequest({ offset: Math.max(0, request.offset - PAGE_SIZE) });
        else setResult({ request, sessions: page.items, total: page.total });
      },
      (error: unknown) => {
        if (current) setFailure({ request, error });
      },
    );
    return () => {
      current = false;
    };
  }, [api, app, username, user, request]);

  // The confirmation takes the focus, so that its question is read first and Enter revokes nothing;
  // cancelling it gives the focus back to the button that opened it (rendered again by then).
  useEffect(() => {
    if (confirm !== null) confirmBox.current?.focus();
    else if (returnTo.current !== null) openers.current.get(returnTo.current)?.focus();
    returnTo.current = null;
  }, [confirm]);

  const reload = () => setRequest({ offset: result?.request.offset ?? 0 });

  const cancel = () => {
    returnTo.current = confirm;
    setConfirm(null);
    revoke.clear();
  };

  const onEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape') cancel();
  };

  const revokeNow = (session: UserSession | typeof ALL) =>
    void revoke.run(async () => {
      setStatus(null);
      if (session === ALL) {
        await api.revokeSessions(app, username);
        setStatus(`Every session of ${username} was revoked.`);
      } else {
        try {
          await api.revokeSession(app, username, session.id);
          setStatus(`The session of ${shortUserAgent(session.user_agent)} was revoked.`);
        } catch (error) {
          // Expired or revoked elsewhere meanwhile: the list is out of date, not the admin's wish.
          if (!(error instanceof ApiError && error.status === 404)) throw error;
          setStatus('That session had already ended.');
        }
      }
      setConfirm(null);
      reload();
      // Its button is gone with it: keep the focus in the panel.
      heading.current?.focus();
    });

  const loading = result?.request !== request && failure?.request !== request;
  const error = failure?.request === request ? failure.error : null;
  const sessions = result?.sessions ?? null;
  const total = result?.total ?? 0;
  const offset = result?.request.offset ?? 0;
  const last = Math.min(offset + PAGE_SIZE, total);
  const headingId = `${ids}-heading`;

  const confirmation = (question: string, target: UserSession | typeof ALL, action: string) => (
    <div
      role="group"
      aria-labelledby={`${ids}-question`}
      className="confirm"
      tabIndex={-1}
      ref={confirmBox}
      onKeyDown={onEscape}
    >
      <p id={`${ids}-question`} className="warning">
        {question}
      </p>
      <div className="row wrap">
        <button type="button" className="danger" disabled={revoke.busy} onClick={() => revokeNow(target)}>
          {action}
        </button>
        <button type="button" className="secondary" onClick={cancel}>
          Cancel
        </button>
      </div>
      <ErrorText error={revoke.error} />
    </div>
  );

  return (
    <section className="sessions" aria-labelledby={headingId} aria-busy={loading}>
      <div className="row spread wrap">
        <h3 id={headingId} ref={heading} tabIndex={-1}>
          Sessions{result ? ` (${total})` : ''}
        </h3>
        <div className="row wrap">
          <button type="button" className="secondary" onClick={reload}>
            Refresh
          </button>
          {confirm !== ALL && (
            <button
              type="button"
              className="danger"
              ref={(el) => void (el ? openers.current.set(ALL, el) : openers.current.delete(ALL))}
              onClick={() => setConfirm(ALL)}
            >
              Revoke all sessions…
            </button>
          )}
        </div>
      </div>
      {confirm === ALL &&
        confirmation(
          `Revoke every session of “${username}”? Their refresh and login tokens stop working at once, on every device.`,
          ALL,
          `Revoke all sessions of ${username} now`,
        )}
      <ErrorText error={error} />
      {loading && sessions === null && <Loading what="sessions" />}
      {!loading && !error && sessions !== null && sessions.length === 0 && <p className="empty">No active sessions.</p>}
      {sessions !== null && sessions.length > 0 && (
        <ul className="session-list" aria-label={`Sessions of ${username}, newest first`}>
          {sessions.map((session) => {
            const client = shortUserAgent(session.user_agent);
            return (
              <li key={session.id} className="session">
                <strong title={session.user_agent ?? undefined}>{client}</strong>
                <dl className="facts">
                  <dt>Started</dt>
                  <dd>
                    <Time at={session.created_at} />
                  </dd>
                  <dt>Last used</dt>
                  <dd>
                    <Time at={session.last_used_at} />
                  </dd>
                  <dt>Expires</dt>
                  <dd>
                    <Time at={session.expires_at} />
                  </dd>
                  <dt>IP</dt>
                  <dd className="mono">{session.ip ?? 'unknown'}</dd>
                </dl>
                {confirm === session.id ? (
                  confirmation(
                    `Revoke this session (${client}, ${session.ip ?? 'unknown IP'})? Its refresh token stops working at once; the user's other sessions go on.`,
                    session,
                    'Revoke this session now',
                  )
                ) : (
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Revoke the session of ${client} started ${when(session.created_at)}…`}
                    ref={(el) => void (el ? openers.current.set(session.id, el) : openers.current.delete(session.id))}
                    onClick={() => setConfirm(session.id)}
                  >
                    Revoke…
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {total > PAGE_SIZE && sessions !== null && sessions.length > 0 && (
        <nav className="row pager" aria-label={`Pages of sessions of ${username}`}>
          <button
            type="button"
            className="secondary"
            disabled={offset === 0}
            onClick={() => setRequest({ offset: Math.max(0, offset - PAGE_SIZE) })}
          >
            Previous
          </button>
          <span>
            {offset + 1}–{last} of {total}
          </span>
          <button
            type="button"
            className="secondary"
            disabled={last >= total}
            onClick={() => setRequest({ offset: offset + PAGE_SIZE })}
          >
            Next
          </button>
        </nav>
      )}
      {status && <p role="status">{status}</p>}
    </section>
  );
}
