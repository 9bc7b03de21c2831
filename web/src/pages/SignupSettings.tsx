import { useId, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/client';
import type { Application } from '../api/types';
import { ErrorText, useAction } from '../components/common';
import { previewMail, SAMPLE_USER, type MailKind, type MailTemplate } from './mail-preview';

interface Props {
  api: ApiClient;
  app: Application;
  onChange(app: Application): void;
}

const KINDS: { kind: MailKind; title: string }[] = [
  { kind: 'confirm', title: 'Confirmation mail (sign-up “confirm”)' },
  { kind: 'recover', title: 'Password reset mail (recovery “on”)' },
];

/** Sign-up, recovery, the page the mails link to, and the two mails with a live preview. */
export function SignupSettings({ api, app, onChange }: Props) {
  const [signup, setSignup] = useState(app.signup);
  const [recovery, setRecovery] = useState(app.recovery);
  const [publicUrl, setPublicUrl] = useState(app.public_url ?? '');
  const [templates, setTemplates] = useState(app.mail_templates);
  const [saved, setSaved] = useState(false);
  const action = useAction();

  const edit = (kind: MailKind, field: keyof MailTemplate, value: string) =>
    setTemplates((current) => ({ ...current, [kind]: { ...current[kind], [field]: value } }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    void action.run(async () => {
      const updated = await api.updateApplication(app.name, {
        signup,
        recovery,
        public_url: publicUrl.trim() ? publicUrl.trim() : null,
        mail_templates: templates,
      });
      onChange(updated);
      setSaved(true);
    });
  };

  return (
    <form onSubmit={submit} className="card form" aria-labelledby="signup-settings">
      <h2 id="signup-settings">Sign-up and password recovery</h2>
      <p className="muted">
        Links in the mails open the public URL with the token after #token=. Without SMTP_URL on the server, jawth mails
        nothing: the application's webhooks receive the token instead.
      </p>
      <div className="grid">
        <label>
          Sign-up
          <select value={signup} onChange={(e) => setSignup(e.target.value as Application['signup'])}>
            <option value="off">off</option>
            <option value="open">open: accounts are enabled at once</option>
            <option value="confirm">confirm: enabled once the e-mail is confirmed</option>
          </select>
        </label>
        <label>
          Password recovery
          <select value={recovery} onChange={(e) => setRecovery(e.target.value as Application['recovery'])}>
            <option value="off">off</option>
            <option value="on">on: a reset link by e-mail</option>
          </select>
        </label>
        <label>
          Public URL (the page the mails link to)
          <input
            type="url"
            value={publicUrl}
            placeholder="https://app.example.com/account"
            onChange={(e) => setPublicUrl(e.target.value)}
          />
        </label>
      </div>
      {KINDS.map(({ kind, title }) => (
        <TemplateEditor
          key={kind}
          kind={kind}
          title={title}
          template={templates[kind]}
          preview={previewMail(templates[kind], app.name, publicUrl.trim(), kind)}
          onEdit={(field, value) => edit(kind, field, value)}
        />
      ))}
      <button type="submit" disabled={action.busy}>
        {action.busy ? 'Saving…' : 'Save sign-up and recovery'}
      </button>
      {saved && <p role="status">Saved sign-up and recovery.</p>}
      <ErrorText error={action.error} />
    </form>
  );
}

function TemplateEditor(props: {
  kind: MailKind;
  title: string;
  template: MailTemplate;
  preview: MailTemplate;
  onEdit(field: keyof MailTemplate, value: string): void;
}) {
  const ids = useId();
  return (
    <fieldset className="mail-template">
      <legend>{props.title}</legend>
      <p className="muted">
        {'{{link}}'} (required), {'{{username}}'} and {'{{app}}'} are replaced; the mail is plain text.
        {props.kind === 'confirm' && ' No {{username}} here: this mail goes to an address not proved yet.'}
      </p>
      <label>
        Subject
        <input required value={props.template.subject} onChange={(e) => props.onEdit('subject', e.target.value)} />
      </label>
      <label>
        Text
        <textarea
          rows={6}
          required
          value={props.template.text}
          onChange={(e) => props.onEdit('text', e.target.value)}
        />
      </label>
      <section aria-labelledby={`${ids}-preview`} className="preview">
        <h3 id={`${ids}-preview`}>
          Preview of the {props.kind} mail for {SAMPLE_USER}
        </h3>
        <p>
          <strong>{props.preview.subject}</strong>
        </p>
        <pre>{props.preview.text}</pre>
      </section>
    </fieldset>
  );
}
