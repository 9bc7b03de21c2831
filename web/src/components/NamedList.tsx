import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Named } from '../api/types';
import { ErrorText, Loading, useAction } from './common';

interface Props {
  /** "group" or "org". */
  noun: string;
  list(): Promise<Named[] | null>;
  create(name: string): Promise<unknown>;
  remove(name: string): Promise<void>;
  /** What deleting one means, for the confirmation. */
  lossNote: string;
}

/** Groups of an application and global orgs: a list of names to add and delete. */
export function NamedList({ noun, list, create, remove, lossNote }: Props) {
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
          <li key={item.name} className="card row spread wrap">
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
          </li>
        ))}
      </ul>
      <ErrorText error={del.error} />
    </>
  );
}
