import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ApiClient } from '../api/client';
import type { Webhook, WebhookEventType } from '../api/types';
import { ErrorText, Loading, ShownOnce, useAction } from '../components/common';
import { WebhookDeliveries } from './WebhookDeliveries';
import { WEBHOOK_EVENTS } from '../../../src/shared/constants';

/**
 * The application's webhook endpoints: jawth POSTs its users' events to them, signed (Standard
 * Webhooks). The signing secret is shown once, when created; deleting is confirmed.
 */
export function WebhooksPanel({ api, app }: { api: ApiClient; app: string }) {
  const [hooks, setHooks] = useState<Webhook[] | null>(null);
  const [shown, setShown] = useState<{ url: string; secret: string } | null>(null);
  const [open, setOpen] = useState<{ id: string; view: 'edit' | 'deliveries' | 'delete' } | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [testedAt, setTestedAt] = useState(0);
  const load = useAction();
  const act = useAction();
  const ids = useId();

  const { run } = load;
  useEffect(() => {
    void run(async () => setHooks(await api.listWebhooks(app)));
  }, [api, app, run]);

  const replace = (hook: Webhook) => setHooks((list) => (list ?? []).map((h) => (h.id === hook.id ? hook : h)));
  const remove = (hook: Webhook) =>
    void act.run(async () => {
      await api.deleteWebhook(app, hook.id);
      setOpen(null);
      setStatus(`Deleted the webhook to ${hook.url}.`);
      setHooks((list) => (list ?? []).filter((h) => h.id !== hook.id));
    });
  const enable = (hook: Webhook) =>
    void act.run(async () => {
      replace(await api.updateWebhook(app, hook.id, { disabled: false }));
      setStatus(`Turned the webhook to ${hook.url} back on.`);
    });
  const test = (hook: Webhook) =>
    void act.run(async () => {
      const delivery = await api.testWebhook(app, hook.id);
      setStatus(`Queued a test event (${delivery.id}) to ${hook.url}.`);
      setOpen({ id: hook.id, view: 'deliveries' });
      setTestedAt(Date.now());
    });

  return (
    <section className="card form" aria-labelledby={`${ids}-hooks`}>
      <h2 id={`${ids}-hooks`}>Webhooks</h2>
      <p className="muted">
        jawth POSTs {app}'s user events to these URLs, signed with the endpoint's secret (Standard Webhooks), retried
        for up to 24 hours; an event still failing after 3 attempts no longer holds back the ones after it. Receivers
        should ignore a <code>webhook-id</code> they have already handled.
      </p>
      {hooks === null && !load.error && <Loading what="webhooks" />}
      <ErrorText error={load.error} />
      {hooks && hooks.length === 0 && <p>No webhooks yet.</p>}
      {hooks?.map((hook) => (
        <article key={hook.id} className="card" aria-label={`Webhook ${hook.url}`}>
          <p className="mono">{hook.url}</p>
          <p className="muted">{hook.events.join(', ')}</p>
          {hook.disabled && (
            <div role="alert" className="warning row wrap">
              <span>
                Disabled{hook.disabled_at ? ` since ${new Date(hook.disabled_at).toLocaleString()}` : ''}:{' '}
                {hook.disabled_reason}. Nothing is queued for it or sent to it.
              </span>
              <button type="button" onClick={() => enable(hook)} disabled={act.busy}>
                Turn back on
              </button>
            </div>
          )}
          <div className="row wrap">
            <button type="button" onClick={() => test(hook)} disabled={act.busy || hook.disabled}>
              Send test event
            </button>
            <button type="button" className="secondary" onClick={() => setOpen({ id: hook.id, view: 'deliveries' })}>
              Deliveries
            </button>
            <button type="button" className="secondary" onClick={() => setOpen({ id: hook.id, view: 'edit' })}>
              Edit events
            </button>
            <button type="button" className="danger" onClick={() => setOpen({ id: hook.id, view: 'delete' })}>
              Delete…
            </button>
          </div>
          {open?.id === hook.id && open.view === 'delete' && (
            <div role="group" aria-label={`Confirm deleting the webhook to ${hook.url}`} className="row wrap">
              <span className="warning">Nothing more is sent to it; its pending deliveries are dropped.</span>
              <button type="button" className="danger" onClick={() => remove(hook)} disabled={act.busy}>
                Delete webhook
              </button>
              <button type="button" className="secondary" onClick={() => setOpen(null)}>
                Cancel
              </button>
            </div>
          )}
          {open?.id === hook.id && open.view === 'edit' && (
            <EventsForm
              title="Events"
              initial={hook.events}
              submitText="Save events"
              onSubmit={async (events) => {
                replace(await api.updateWebhook(app, hook.id, { events }));
                setOpen(null);
                setStatus(`Saved the events of the webhook to ${hook.url}.`);
              }}
            />
          )}
          {open?.id === hook.id && open.view === 'deliveries' && (
            <WebhookDeliveries api={api} app={app} hook={hook} refreshKey={testedAt} />
          )}
        </article>
      ))}
      <ErrorText error={act.error} />
      {status && <p role="status">{status}</p>}
      <CreateWebhook
        api={api}
        app={app}
        onCreated={(created) => {
          setShown({ url: created.url, secret: created.secret });
          setStatus(null);
          setHooks((list) => [...(list ?? []), created]);
        }}
      />
      {shown && (
        <ShownOnce
          id="webhook-secret-title"
          title={`Signing secret of ${shown.url}`}
          what="Signing secret"
          value={shown.secret}
          onDone={() => setShown(null)}
        >
          Store this secret where your receiver reads it, to verify each delivery's signature: it is not shown again. If
          it is lost, delete the webhook and create another.
        </ShownOnce>
      )}
    </section>
  );
}

function CreateWebhook({
  api,
  app,
  onCreated,
}: {
  api: ApiClient;
  app: string;
  onCreated(hook: Webhook & { secret: string }): void;
}) {
  const [url, setUrl] = useState('');
  const [formKey, setFormKey] = useState(0);
  return (
    <EventsForm
      key={formKey}
      title="Create a webhook"
      initial={['user.created', 'user.deleted']}
      submitText="Create webhook"
      onSubmit={async (events) => {
        onCreated(await api.createWebhook(app, { url: url.trim(), events }));
        setUrl('');
        setFormKey((k) => k + 1);
      }}
    >
      <label>
        URL
        <input
          type="url"
          required
          maxLength={2048}
          placeholder="https://example.com/hooks/jawth"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
      </label>
    </EventsForm>
  );
}

/** A choice of events, with any other fields given as children. */
function EventsForm({
  title,
  initial,
  submitText,
  onSubmit,
  children,
}: {
  title: string;
  initial: WebhookEventType[];
  submitText: string;
  onSubmit(events: WebhookEventType[]): Promise<void>;
  children?: ReactNode;
}) {
  const [events, setEvents] = useState<WebhookEventType[]>(initial);
  const action = useAction();
  const ids = useId();
  const toggle = (event: WebhookEventType, on: boolean) =>
    setEvents((current) => (on ? [...current, event] : current.filter((e) => e !== event)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(() => onSubmit(WEBHOOK_EVENTS.filter((e) => events.includes(e))));
  };
  return (
    <form onSubmit={submit} aria-labelledby={`${ids}-title`} className="form">
      <h3 id={`${ids}-title`}>{title}</h3>
      {children}
      <fieldset className="choices">
        <legend>Events</legend>
        {WEBHOOK_EVENTS.map((name) => (
          <label key={name}>
            <input type="checkbox" checked={events.includes(name)} onChange={(e) => toggle(name, e.target.checked)} />
            {name}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={action.busy || events.length === 0}>
        {action.busy ? 'Saving…' : submitText}
      </button>
      <ErrorText error={action.error} />
    </form>
  );
}
