import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/client';
import type { User } from '../api/types';
import { ErrorText, Loading, useAction } from '../components/common';
import { MembershipPicker } from '../components/MembershipPicker';
import { NoGroupsYet, NoOrgsYet, UserEditor, type Choices } from './UserEditor';

const PAGE_SIZE = 20;

export function UsersPanel({ api, app }: { api: ApiClient; app: string }) {
  const [users, setUsers] = useState<User[] | null>(null);
  const [total, setTotal] = useState(0);
  const [offset, setOffset] = useState(0);
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [choices, setChoices] = useState<Choices>({ groups: null, orgs: null });
  const load = useAction();
  const { run } = load;

  // The groups and orgs a user can be given; a failure leaves the pickers with the user's own.
  useEffect(() => {
    let current = true;
    const names = (list: { name: string }[] | null) => (list ?? []).map((item) => item.name);
    Promise.all([api.listGroups(app), api.listOrgs()]).then(
      ([groups, orgs]) => {
        if (current) setChoices({ groups: names(groups), orgs: names(orgs) });
      },
      () => {
        if (current) setChoices({ groups: [], orgs: [] });
      },
    );
    return () => {
      current = false;
    };
  }, [api, app]);

  const refresh = useCallback(() => {
    void run(async () => {
      const page = await api.listUsers(app, { limit: PAGE_SIZE, offset, q: query });
      setUsers(page.items);
      setTotal(page.total);
    });
  }, [api, app, offset, query, run]);
  useEffect(refresh, [refresh]);

  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    setOffset(0);
    setQuery(search);
  };

  const last = Math.min(offset + PAGE_SIZE, total);
  return (
    <>
      <CreateUser api={api} app={app} choices={choices} onCreated={refresh} />
      <section aria-labelledby="users-list">
        <h2 id="users-list">Users</h2>
        <form className="search row" onSubmit={submitSearch} role="search">
          <label>
            Search users
            <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="username" />
          </label>
          <button type="submit" className="secondary">
            Search
          </button>
        </form>
        <ErrorText error={load.error} />
        {users === null && !load.error && <Loading what="users" />}
        {users !== null && users.length === 0 && (
          <p className="empty">{query ? `No user matches “${query}”.` : 'No users yet. Create the first above.'}</p>
        )}
        <ul className="cards">
          {users?.map((user) => (
            <li key={user.uid} className="card">
              <div className="row spread">
                <strong className="title">{user.username}</strong>
                <span className={user.disabled ? 'badge off' : 'badge on'}>
                  {user.disabled ? 'disabled' : 'active'}
                </span>
              </div>
              <dl className="facts">
                <dt>Role</dt>
                <dd>{user.role}</dd>
                <dt>Groups</dt>
                <dd>{user.groups.join(', ') || 'none'}</dd>
                <dt>Orgs</dt>
                <dd>{user.orgs.join(', ') || 'none'}</dd>
                <dt>Last login</dt>
                <dd>{user.last_login ? new Date(user.last_login).toLocaleString() : 'never'}</dd>
              </dl>
              <button
                type="button"
                className="secondary"
                aria-expanded={open === user.uid}
                onClick={() => setOpen(open === user.uid ? null : user.uid)}
              >
                {open === user.uid ? 'Close' : `Manage ${user.username}`}
              </button>
              {open === user.uid && <UserEditor api={api} app={app} user={user} choices={choices} onChange={refresh} />}
            </li>
          ))}
        </ul>
        {total > 0 && (
          <nav className="row pager" aria-label="Pages of users">
            <button
              type="button"
              className="secondary"
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
            >
              Previous
            </button>
            <span role="status">
              {offset + 1}–{last} of {total}
            </span>
            <button
              type="button"
              className="secondary"
              disabled={last >= total}
              onClick={() => setOffset(offset + PAGE_SIZE)}
            >
              Next
            </button>
          </nav>
        )}
      </section>
    </>
  );
}

interface CreateProps {
  api: ApiClient;
  app: string;
  choices: Choices;
  onCreated(): void;
}

function CreateUser({ api, app, choices, onCreated }: CreateProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('');
  const [groups, setGroups] = useState<string[]>([]);
  const [orgs, setOrgs] = useState<string[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    void action.run(async () => {
      const user = await api.createUser(app, {
        username: username.trim(),
        password,
        ...(role.trim() ? { role: role.trim() } : {}),
        ...(groups.length > 0 ? { groups } : {}),
        ...(orgs.length > 0 ? { orgs } : {}),
      });
      setUsername('');
      setPassword('');
      setRole('');
      setGroups([]);
      setOrgs([]);
      setDone(`User “${user.username}” created.`);
      onCreated();
    });
  };

  return (
    <form onSubmit={submit} className="card form" aria-labelledby="create-user">
      <h2 id="create-user">New user</h2>
      <div className="grid">
        <label>
          Username
          <input required autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          Password
          <input
            required
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <label>
          Role (optional)
          <input value={role} onChange={(e) => setRole(e.target.value)} placeholder="user" />
        </label>
        <MembershipPicker
          legend="Groups (optional)"
          options={choices.groups}
          selected={groups}
          onChange={setGroups}
          empty={<NoGroupsYet app={app} />}
        />
        <MembershipPicker
          legend="Orgs (optional)"
          options={choices.orgs}
          selected={orgs}
          onChange={setOrgs}
          empty={<NoOrgsYet />}
        />
      </div>
      <button type="submit" disabled={action.busy}>
        {action.busy ? 'Creating…' : 'Create user'}
      </button>
      {done && <p role="status">{done}</p>}
      <ErrorText error={action.error} />
    </form>
  );
}
