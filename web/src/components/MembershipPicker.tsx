import type { ReactNode } from 'react';

interface Props {
  /** "Groups" or "Orgs". */
  legend: string;
  /** What can be picked; null while it loads or when the server has no such list. */
  options: string[] | null;
  selected: string[];
  onChange(selected: string[]): void;
  /** Shown when there is nothing to pick: where to create the first one. */
  empty: ReactNode;
}

/**
 * Memberships as checkboxes of the existing groups or orgs, so that nobody types names. A name the
 * user already carries stays listed even if the list of options left it out.
 */
export function MembershipPicker({ legend, options, selected, onChange, empty }: Props) {
  const names = [...new Set([...(options ?? []), ...selected])].sort();
  const toggle = (name: string, on: boolean) =>
    onChange(on ? [...selected, name].sort() : selected.filter((other) => other !== name));
  return (
    <fieldset className="choices">
      <legend>{legend}</legend>
      {names.length === 0 ? (
        <p className="muted">{options === null ? `Loading ${legend.toLowerCase()}…` : empty}</p>
      ) : (
        <ul>
          {names.map((name) => (
            <li key={name}>
              <label>
                <input
                  type="checkbox"
                  checked={selected.includes(name)}
                  onChange={(e) => toggle(name, e.target.checked)}
                />
                {name}
              </label>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
