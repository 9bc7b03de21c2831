import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/client';
import type { User } from '../api/types';
import { ErrorText, Loading, splitList, useAction } from '../components/common';
import { UserEditor } from './UserEditor';

const PAGE_SIZE = 20;

export function UsersPanel({ api, app }: { api: ApiClient; app: string }) {
  const [users, setUsers] = useState<User[] | null>(null);
  const [total, setTotal] = useState(0);
  const [offset, setOffset] = useState(0);
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const load = useAction();
  const { run } = load;

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
      <CreateUser api={api} app={app} onCreated={refresh} />
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
              {open === user.uid && <UserEditor api={api} app={app} user={user} onChange={refresh} />}
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

function CreateUser({ api, app, onCreated }: { api: ApiClient; app: string; onCreated(): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('');
  const [groups, setGroups] = useState('');
  const [orgs, setOrgs] = useState('');
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
        ...(groups.trim() ? { groups: splitList(groups) } : {}),
        ...(orgs.trim() ? { orgs: splitList(orgs) } : {}),
      });
      setUsername('');
      setPassword('');
      setRole('');
      setGroups('');
      setOrgs('');
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
        <label>
          Groups (comma-separated, optional)
          <input value={groups} onChange={(e) => setGroups(e.target.value)} />
        </label>
        <label>
          Orgs (comma-separated, optional)
          <input value={orgs} onChange={(e) => setOrgs(e.target.value)} />
        </label>
      </div>
      <button type="submit" disabled={action.busy}>
        {action.busy ? 'Creating…' : 'Create user'}
      </button>
      {done && <p role="status">{done}</p>}
      <ErrorText error={action.error} />
    </form>
  );
}
