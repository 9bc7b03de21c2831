import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { Webhook, WebhookDelivery } from '../api/types';

/** What an admin may do with a delivery in each state (the API answers 409 to the rest). */
const ACTIONS: Record<WebhookDelivery['status'], ('retry' | 'replay' | 'skip')[]> = {
  pending: ['retry', 'skip'],
  failed: ['retry'],
  skipped: ['retry'],
  delivered: ['replay'],
};
const LABELS = { retry: 'Retry', replay: 'Replay', skip: 'Skip' };
import { ErrorText, Loading, useAction } from '../components/common';

const when = (iso: string) => <time dateTime={iso}>{new Date(iso).toLocaleString()}</time>;

/** One endpoint's latest deliveries, newest first, each with its attempts. */
export function WebhookDeliveries({
  api,
  app,
  hook,
  refreshKey,
}: {
  api: ApiClient;
  app: string;
  hook: Webhook;
  /** Changes when a test event was just queued: read the list again. */
  refreshKey: number;
}) {
  const [deliveries, setDeliveries] = useState<WebhookDelivery[] | null>(null);
  const load = useAction();
  const act = useAction();
  const [status, setStatus] = useState<string | null>(null);
  const { run } = load;
  const refresh = useCallback(() => {
    void run(async () => setDeliveries(await api.listDeliveries(app, hook.id)));
  }, [api, app, hook.id, run]);
  useEffect(refresh, [refresh, refreshKey]);
  const hand = (delivery: WebhookDelivery, action: 'retry' | 'replay' | 'skip') =>
    void act.run(async () => {
      const changed = await api.handDelivery(app, hook.id, delivery.id, action);
      setDeliveries((list) => (list ?? []).map((d) => (d.id === changed.id ? changed : d)));
      setStatus(`${LABELS[action]}: ${delivery.type} (${delivery.id}) is ${changed.status}.`);
    });

  return (
    <section aria-label={`Deliveries to ${hook.url}`}>
      <div className="row spread">
        <h3>Deliveries</h3>
        <button type="button" className="secondary" onClick={refresh} disabled={load.busy}>
          Refresh
        </button>
      </div>
      {deliveries === null && !load.error && <Loading what="deliveries" />}
      <ErrorText error={load.error} />
      {deliveries && deliveries.length === 0 && <p>No deliveries yet.</p>}
      {deliveries && deliveries.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Attempts</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((delivery) => (
                <tr key={delivery.id}>
                  <td>
                    {delivery.type}
                    <br />
                    <span className="muted mono">{delivery.id}</span>
                  </td>
                  <td>
                    {delivery.status}
                    {delivery.next_attempt_at && delivery.attempts.length > 0 && (
                      <>
                        <br />
                        <span className="muted">next {when(delivery.next_attempt_at)}</span>
                      </>
                    )}
                  </td>
                  <td>{when(delivery.created_at)}</td>
                  <td>
                    {delivery.attempts.length === 0 ? (
                      <span className="muted">none yet</span>
                    ) : (
                      <ol className="attempts">
                        {delivery.attempts.map((attempt) => (
                          <li key={attempt.at}>
                            {attempt.status_code ?? 'no answer'} {attempt.error ? `(${attempt.error})` : ''} —{' '}
                            {when(attempt.at)}, {attempt.duration_ms} ms
                          </li>
                        ))}
                      </ol>
                    )}
                  </td>
                  <td>
                    {ACTIONS[delivery.status].map((action) => (
                      <button
                        key={action}
                        type="button"
                        className="secondary"
                        aria-label={`${LABELS[action]} ${delivery.type} ${delivery.id}`}
                        onClick={() => hand(delivery, action)}
                        disabled={act.busy}
                      >
                        {LABELS[action]}
                      </button>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorText error={act.error} />
      {status && <p role="status">{status}</p>}
    </section>
  );
}
