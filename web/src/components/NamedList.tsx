import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Named, Page, User } from '../api/types';
import { ErrorText, Loading, useAction } from './common';

/** How many members each item lists; the count says how many there are in all. */
const MEMBERS_SHOWN = 50;

interface Props {
  /** "group" or "org". */
  noun: string;
  list(): Promise<Named[] | null>;
  /** A page of the members of one item. */
  members(name: string, page: { limit: number; offset: number }): Promise<Page<User>>;
  /** A member as the list names it (orgs add the application). */
  memberName(user: User): string;
  create(name: string): Promise<unknown>;
  remove(name: string): Promise<void>;
  /** What deleting one means, for the confirmation. */
  lossNote: string;
}

/** Groups of an application and global orgs: a list of names to add and delete. */
export function NamedList({ noun, list, members, memberName, create, remove, lossNote }: Props) {
  const [items, setItems] = useState<Named[] | null | undefined>(undefined);
  const [name, setName] = useState('');
  const [confirm, setConfirm] = useState<string | null>(null);
  const load = useAction();
  const add = useAction();
  const del = useAction();
  const { run } = load;

  const refresh = useCallback(() => {
    void run(async () => setItems(await list()));
  }, [list, run]);
  useEffect(refresh, [refresh]);

  if (items === null) {
    return (
      <p className="empty">
        This jawth server has no {noun}s endpoints yet; {noun}s cannot be managed here. Users can still carry {noun}{' '}
        names once the server supports them.
      </p>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void add.run(async () => {
      await create(name.trim());
      setName('');
      refresh();
    });
  };

  return (
    <>
      <form onSubmit={submit} className="card form row wrap" aria-label={`New ${noun}`}>
        <label>
          New {noun} name
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" disabled={add.busy}>
          Create {noun}
        </button>
        <ErrorText error={add.error} />
      </form>
      <ErrorText error={load.error} />
      {items === undefined && !load.error && <Loading what={`${noun}s`} />}
      {items && items.length === 0 && <p className="empty">No {noun}s yet.</p>}
      <ul className="cards">
        {items?.map((item) => (
          <li key={item.name} className="card named-item">
            <div className="row spread wrap">
              <strong>{item.name}</strong>
              {confirm === item.name ? (
                <span className="row wrap">
                  <span className="warning">{lossNote}</span>
                  <button
                    type="button"
                    className="danger"
                    disabled={del.busy}
                    onClick={() =>
                      void del.run(async () => {
                        await remove(item.name);
                        setConfirm(null);
                        refresh();
                      })
                    }
                  >
                    Delete {item.name} now
                  </button>
                  <button type="button" className="secondary" onClick={() => setConfirm(null)}>
                    Cancel
                  </button>
                </span>
              ) : (
                <button type="button" className="danger" onClick={() => setConfirm(item.name)}>
                  Delete {item.name}…
                </button>
              )}
            </div>
            <Members name={item.name} members={members} memberName={memberName} />
          </li>
        ))}
      </ul>
      <ErrorText error={del.error} />
    </>
  );
}

/** The members of one group or org, loaded with it. */
function Members({ name, members, memberName }: Pick<Props, 'members' | 'memberName'> & { name: string }) {
  const [page, setPage] = useState<Page<User> | null>(null);
  const load = useAction();
  const { run } = load;
  useEffect(() => {
    void run(async () => setPage(await members(name, { limit: MEMBERS_SHOWN, offset: 0 })));
  }, [members, name, run]);

  if (load.error) return <ErrorText error={load.error} />;
  if (!page) return <p className="members muted">Loading the members of {name}…</p>;
  if (page.total === 0) return <p className="members muted">No members.</p>;
  const more = page.total - page.items.length;
  return (
    <p className="members">
      <span className="muted">
        {page.total} {page.total === 1 ? 'member' : 'members'}:
      </span>{' '}
      {page.items.map(memberName).join(', ')}
      {more > 0 && `, and ${more} more`}
    </p>
  );
}
