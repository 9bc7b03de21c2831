import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/client';
import type { AuditEntry } from '../api/types';
import { actionLabel, sortActions } from '../components/audit-action';
import { ErrorText, Loading } from '../components/common';

const PAGE_SIZE = 50;

interface Filters {
  app: string;
  action: string;
  /** The value of a datetime-local input: the viewer's local time, '' for none. */
  since: string;
}

const NO_FILTERS: Filters = { app: '', action: '', since: '' };

interface Request {
  filters: Filters;
  offset: number;
}

const isFiltered = (filters: Filters) => filters.app !== '' || filters.action !== '' || filters.since !== '';

/** The viewer's offset from UTC, e.g. "UTC+2" or "UTC−5:30", for the since field's hint. */
function utcOffset(): string {
  const minutes = -new Date().getTimezoneOffset();
  if (minutes === 0) return 'UTC';
  const sign = minutes > 0 ? '+' : '−';
  const abs = Math.abs(minutes);
  const rest = abs % 60 ? `:${String(abs % 60).padStart(2, '0')}` : '';
  return `UTC${sign}${Math.floor(abs / 60)}${rest}`;
}

/** `app` opens the log already filtered by that application (from `/admin/audit?app=`). */
export function AuditPage({ api, app }: { api: ApiClient; app?: string }) {
  const [draft, setDraft] = useState<Filters>(() => ({ ...NO_FILTERS, app: app ?? '' }));
  /** What to show; a new object for every load (filters, page, "Refresh"), so each one runs. */
  const [request, setRequest] = useState<Request>(() => ({ filters: { ...NO_FILTERS, app: app ?? '' }, offset: 0 }));
  /** The entries shown and the request they answer: they stay until the next answer arrives. */
  const [result, setResult] = useState<{ request: Request; entries: AuditEntry[]; total: number } | null>(null);
  const [failure, setFailure] = useState<{ request: Request; error: unknown } | null>(null);
  const [filterError, setFilterError] = useState<string | null>(null);
  const [apps, setApps] = useState<string[]>([]);
  /** The actions the server lists (null: it does not), and those seen in answers so far. */
  const [serverActions, setServerActions] = useState<string[] | null>(null);
  const [seenActions, setSeenActions] = useState<string[]>([]);
  const ids = useId();

  useEffect(() => {
    let current = true;
    api.listAuditActions().then(
      (actions) => {
        if (current) setServerActions(actions);
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [api]);

  // Application names for suggestions only: entries of deleted applications stay in the log.
  useEffect(() => {
    let current = true;
    api.listApplications().then(
      (page) => {
        if (current) setApps(page.items.map((item) => item.name));
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [api]);

  useEffect(() => {
    // Only the answer to the latest request is kept, whatever order the answers arrive in.
    let current = true;
    const { filters, offset } = request;
    api
      .listAudit({
        app: filters.app,
        action: filters.action,
        since: filters.since ? new Date(filters.since) : undefined,
        limit: PAGE_SIZE,
        offset,
      })
      .then(
        (page) => {
          if (!current) return;
          setResult({ request, entries: page.items, total: page.total });
          // A server that does not list its actions still offers those the log shows.
          setSeenActions((seen) => sortActions([...seen, ...page.items.map((entry) => entry.action)]));
        },
        (error: unknown) => {
          if (current) setFailure({ request, error });
        },
      );
    return () => {
      current = false;
    };
  }, [api, request]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (draft.since && Number.isNaN(new Date(draft.since).getTime())) {
      setFilterError('“Since” is not a valid date and time.');
      return;
    }
    setFilterError(null);
    setRequest({ filters: { app: draft.app.trim(), action: draft.action.trim(), since: draft.since }, offset: 0 });
  };

  const clear = () => {
    setFilterError(null);
    setDraft(NO_FILTERS);
    setRequest({ filters: NO_FILTERS, offset: 0 });
  };

  const loading = result?.request !== request && failure?.request !== request;
  const error = failure?.request === request ? failure.error : null;
  const entries = result?.entries ?? null;
  const total = result?.total ?? 0;
  const offset = result?.request.offset ?? 0;
  const filtered = result ? isFiltered(result.request.filters) : false;
  const last = Math.min(offset + PAGE_SIZE, total);
  const captionId = `${ids}-caption`;
  const goTo = (next: number) => setRequest({ filters: request.filters, offset: next });
  const actions = sortActions([...(serverActions ?? seenActions), ...(draft.action ? [draft.action] : [])]);

  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">
        Every admin change and every login attempt, newest first. Passwords, tokens and secrets never appear here.
      </p>
      <form className="card form" onSubmit={apply} aria-labelledby={`${ids}-filters`} role="search">
        <h2 id={`${ids}-filters`}>Filters</h2>
        <div className="grid">
          <label>
            Application
            <input
              value={draft.app}
              onChange={(e) => setDraft({ ...draft, app: e.target.value })}
              list={`${ids}-apps`}
              placeholder="any"
              autoComplete="off"
            />
          </label>
          <datalist id={`${ids}-apps`}>
            {['admin', ...apps].map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
          {/* A label around a select would take the chosen option into the field's name. */}
          <div className="field">
            <label htmlFor={`${ids}-action`}>Action</label>
            <select
              id={`${ids}-action`}
              value={draft.action}
              onChange={(e) => setDraft({ ...draft, action: e.target.value })}
            >
              <option value="">Any action</option>
              {actions.map((action) => (
                <option key={action} value={action}>
                  {actionLabel(action)}
                </option>
              ))}
            </select>
          </div>
          <label>
            Since (your local time, {utcOffset()})
            <input
              type="datetime-local"
              step={1}
              value={draft.since}
              onChange={(e) => setDraft({ ...draft, since: e.target.value })}
            />
          </label>
        </div>
        <div className="row wrap">
          <button type="submit">Apply filters</button>
          <button type="button" className="secondary" onClick={clear}>
            Clear filters
          </button>
          <button type="button" className="secondary" onClick={() => setRequest({ ...request })}>
            Refresh
          </button>
        </div>
        {filterError && (
          <p className="error" role="alert">
            {filterError}
          </p>
        )}
      </form>

      <section aria-label="Audit entries" aria-busy={loading}>
        <ErrorText error={error} />
        {loading && <Loading what="audit entries" />}
        {!loading && !error && entries !== null && entries.length === 0 && (
          <p className="empty">
            {filtered ? 'No entries match these filters.' : 'The audit log is empty: nothing has happened yet.'}
          </p>
        )}
        {entries !== null && entries.length > 0 && (
          // A table wider than the screen scrolls inside this region, which the keyboard can focus.
          <div className="table-wrap" role="region" aria-labelledby={captionId} tabIndex={0}>
            <table className="audit">
              <caption id={captionId}>Audit entries{filtered ? ' matching the filters' : ''}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Application</th>
                  <th scope="col">Target</th>
                  <th scope="col">IP</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry, index) => (
                  <tr key={`${entry.at}-${index}`}>
                    <td>
                      <time dateTime={entry.at} title={entry.at}>
                        {new Date(entry.at).toLocaleString()}
                      </time>
                    </td>
                    <td>{entry.actor}</td>
                    <td title={entry.action}>{actionLabel(entry.action)}</td>
                    <td>{entry.app ?? '—'}</td>
                    <td>{entry.target ?? '—'}</td>
                    <td className="mono">{entry.ip ?? '—'}</td>
                    <td>
                      <span className={entry.outcome === 'success' ? 'badge on' : 'badge off'}>
                        {entry.outcome.replace(/_/g, ' ')}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {total > 0 && entries !== null && entries.length > 0 && (
          <nav className="row pager" aria-label="Pages of audit entries">
            <button
              type="button"
              className="secondary"
              disabled={offset === 0}
              onClick={() => goTo(Math.max(0, offset - PAGE_SIZE))}
            >
              Previous
            </button>
            <span role="status">
              {offset + 1}–{last} of {total} {total === 1 ? 'entry' : 'entries'}
            </span>
            <button
              type="button"
              className="secondary"
              disabled={last >= total}
              onClick={() => goTo(offset + PAGE_SIZE)}
            >
              Next
            </button>
          </nav>
        )}
      </section>
    </>
  );
}
