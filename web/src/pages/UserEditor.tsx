import { useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/client';
import type { User } from '../api/types';
import { ErrorText, Link, useAction } from '../components/common';
import { MembershipPicker } from '../components/MembershipPicker';
import { SessionsPanel } from './SessionsPanel';

/** The names a user can be given: the application's groups and every org (null while they load). */
export interface Choices {
  groups: string[] | null;
  orgs: string[] | null;
}

interface Props {
  api: ApiClient;
  app: string;
  user: User;
  choices: Choices;
  onChange(): void;
}

export function NoGroupsYet({ app }: { app: string }) {
  return (
    <>
      No groups yet: create them in the <Link to={{ page: 'app', app, tab: 'groups' }}>Groups tab</Link>.
    </>
  );
}

export function NoOrgsYet() {
  return (
    <>
      No orgs yet: create them on the <Link to={{ page: 'orgs' }}>Orgs page</Link>.
    </>
  );
}

/** Every change to one user, each with its own error line. */
export function UserEditor({ api, app, user, choices, onChange }: Props) {
  const [role, setRole] = useState(user.role);
  const [email, setEmail] = useState(user.email ?? '');
  const [groups, setGroups] = useState(user.groups);
  const [orgs, setOrgs] = useState(user.orgs);
  const [password, setPassword] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const save = useAction();
  const toggle = useAction();
  const setPw = useAction();
  const remove = useAction();

  const saveMembership = (event: FormEvent) => {
    event.preventDefault();
    void save.run(async () => {
      await api.updateUser(app, user.username, {
        role: role.trim(),
        email: email.trim() ? email.trim() : null,
        groups,
        orgs,
      });
      setStatus(`Saved role, e-mail, groups and orgs of ${user.username}.`);
      onChange();
    });
  };

  const submitPassword = (event: FormEvent) => {
    event.preventDefault();
    void setPw.run(async () => {
      await api.updateUser(app, user.username, { password });
      setPassword('');
      setStatus(`Password of ${user.username} set; their sessions were revoked.`);
      onChange();
    });
  };

  return (
    <div className="editor">
      <form onSubmit={saveMembership} aria-label={`Role, e-mail, groups and orgs of ${user.username}`}>
        <div className="grid">
          <label>
            Role
            <input required value={role} onChange={(e) => setRole(e.target.value)} />
          </label>
          <label>
            E-mail (optional, for password recovery)
            <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </label>
          <MembershipPicker
            legend="Groups"
            options={choices.groups}
            selected={groups}
            onChange={setGroups}
            empty={<NoGroupsYet app={app} />}
          />
          <MembershipPicker
            legend="Orgs"
            options={choices.orgs}
            selected={orgs}
            onChange={setOrgs}
            empty={<NoOrgsYet />}
          />
        </div>
        <button type="submit" disabled={save.busy}>
          Save role, e-mail, groups and orgs
        </button>
        <ErrorText error={save.error} />
      </form>

      <form onSubmit={submitPassword} aria-label={`Set the password of ${user.username}`}>
        <label>
          New password
          <input
            type="password"
            required
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" disabled={setPw.busy}>
          Set password
        </button>
        <ErrorText error={setPw.error} />
      </form>

      <SessionsPanel api={api} app={app} user={user} />

      <div className="row wrap">
        <button
          type="button"
          className="secondary"
          disabled={toggle.busy}
          onClick={() =>
            void toggle.run(async () => {
              await api.updateUser(app, user.username, { disabled: !user.disabled });
              setStatus(user.disabled ? `${user.username} enabled.` : `${user.username} disabled; sessions revoked.`);
              onChange();
            })
          }
        >
          {user.disabled ? 'Enable' : 'Disable'} {user.username}
        </button>
        {!confirmDelete && (
          <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
            Delete {user.username}…
          </button>
        )}
      </div>
      <ErrorText error={toggle.error} />
      {confirmDelete && (
        <div role="group" aria-label="Confirm deletion" className="confirm">
          <p className="warning">
            Delete “{user.username}”? Their account, memberships and sessions are removed. This cannot be undone.
          </p>
          <div className="row">
            <button
              type="button"
              className="danger"
              disabled={remove.busy}
              onClick={() =>
                void remove.run(async () => {
                  await api.deleteUser(app, user.username);
                  onChange();
                })
              }
            >
              Delete {user.username} now
            </button>
            <button type="button" className="secondary" onClick={() => setConfirmDelete(false)}>
              Cancel
            </button>
          </div>
          <ErrorText error={remove.error} />
        </div>
      )}
      {status && <p role="status">{status}</p>}
    </div>
  );
}
