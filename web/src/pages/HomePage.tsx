import { useEffect, useId, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { Stats, StatsBucket } from '../api/types';
import { AttemptsChart } from '../components/AttemptsChart';
import { ErrorText, Link, Loading } from '../components/common';
import { describeSecurityEvent } from '../components/security-event';
import { navigate } from '../router';

const hourLabel = (bucket: StatsBucket) =>
  new Date(bucket.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
// Days are UTC days (the server's buckets): named in UTC, so that none shifts to the day before.
const dayLabel = (bucket: StatsBucket) =>
  new Date(bucket.at).toLocaleDateString([], { weekday: 'short', day: 'numeric', timeZone: 'UTC' });
const when = (at: string) => new Date(at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

const sum = (buckets: StatsBucket[], key: 'logins' | 'failures' | 'lockouts') =>
  buckets.reduce((total, bucket) => total + bucket[key], 0);

/** The page after login: what happened lately, overall or in one application (`/admin/?app=`). */
export function HomePage({ api, app }: { api: ApiClient; app?: string }) {
  const [apps, setApps] = useState<string[] | null>(null);
  const [result, setResult] = useState<{ app?: string; stats: Stats } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);
  const id = useId();

  useEffect(() => {
    let current = true;
    api.listApplications().then(
      (page) => current && setApps(page.items.map((item) => item.name)),
      () => current && setApps([]),
    );
    return () => {
      current = false;
    };
  }, [api]);

  useEffect(() => {
    let current = true;
    setError(null);
    api.getStats(app).then(
      (stats) => current && setResult({ app, stats }),
      (caught: unknown) => current && setError(caught),
    );
    return () => {
      current = false;
    };
  }, [api, app, reload]);

  const stats = result && result.app === app ? result.stats : null;
  const scope = app ? `in ${app}` : 'in all applications';

  return (
    <>
      <h1>Overview</h1>
      <div className="row home-controls">
        {/* A label around a select would take the chosen option into the field's name. */}
        <div className="field">
          <label htmlFor={`${id}-app`}>Application</label>
          <select
            id={`${id}-app`}
            value={app ?? ''}
            onChange={(e) => navigate(e.target.value ? { page: 'home', app: e.target.value } : { page: 'home' })}
          >
            <option value="">All applications</option>
            {/* An application that is not (or no longer) listed stays selectable as what is shown. */}
            {[...new Set([...(app ? [app] : []), ...(apps ?? [])])].sort().map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="secondary" onClick={() => setReload((n) => n + 1)}>
          Refresh
        </button>
      </div>
      <ErrorText error={error} />
      {!stats && !error && <Loading what="the overview" />}
      {stats && (
        <div aria-live="polite">
          <section aria-labelledby="home-now">
            <h2 id="home-now">Now and the last 24 hours {scope}</h2>
            <dl className="tiles">
              <div className="tile">
                <dt>Users</dt>
                <dd>{stats.users}</dd>
              </div>
              <div className="tile">
                <dt>Active sessions</dt>
                <dd>{stats.active_sessions}</dd>
              </div>
              <div className="tile">
                <dt>Logins</dt>
                <dd>{sum(stats.hourly, 'logins')}</dd>
              </div>
              <div className="tile">
                <dt>Failures</dt>
                <dd>{sum(stats.hourly, 'failures')}</dd>
              </div>
              <div className="tile">
                <dt>Lockouts</dt>
                <dd>{sum(stats.hourly, 'lockouts')}</dd>
              </div>
            </dl>
          </section>
          <div className="charts">
            <section className="card" aria-labelledby="home-hours">
              <h2 id="home-hours">Last 24 hours</h2>
              <AttemptsChart
                title={`Logins, failures and lockouts per hour, last 24 hours, ${scope}`}
                unit="Hour"
                buckets={stats.hourly}
                label={hourLabel}
                showLabel={(index) => index % 6 === 2}
              />
            </section>
            <section className="card" aria-labelledby="home-days">
              <h2 id="home-days">Last 7 days</h2>
              <AttemptsChart
                title={`Logins, failures and lockouts per day (UTC), last 7 days, ${scope}`}
                unit="Day"
                buckets={stats.daily}
                label={dayLabel}
                showLabel={() => true}
              />
            </section>
          </div>
          <section aria-labelledby="home-events">
            <h2 id="home-events">Recent security events</h2>
            {stats.recent_security_events.length === 0 ? (
              <p className="empty">No lockouts, reused refresh tokens or secret reads {scope}.</p>
            ) : (
              <ol className="events" aria-labelledby="home-events">
                {stats.recent_security_events.map((entry, index) => {
                  const { title, details } = describeSecurityEvent(entry);
                  return (
                    <li key={`${entry.at}-${index}`} className={`event event-${entry.outcome}`}>
                      <strong>{title}</strong>
                      {entry.app && !app && <span className="muted"> · {entry.app}</span>}
                      <p>{details}</p>
                      <time className="muted" dateTime={entry.at}>
                        {when(entry.at)}
                      </time>
                    </li>
                  );
                })}
              </ol>
            )}
            <p>
              <Link to={app ? { page: 'audit', app } : { page: 'audit' }}>
                {app ? `Audit log of ${app}` : 'The whole audit log'}
              </Link>
            </p>
          </section>
        </div>
      )}
    </>
  );
}
