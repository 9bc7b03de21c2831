import { useCallback, useEffect, useRef, useState, type ReactNode, type MouseEvent } from 'react';
import { ApiError } from '../api/client';
import { navigate, routePath, type Route } from '../router';

/** An error shown next to the action that caused it. */
export function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  const text = error instanceof ApiError ? error.describe() : error instanceof Error ? error.message : String(error);
  return (
    <p className="error" role="alert">
      {text}
    </p>
  );
}

/** Runs one action at a time and keeps its error, so each form shows its own. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (action: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(null) };
}

export function Link({
  to,
  children,
  className,
  current,
}: {
  to: Route;
  children: ReactNode;
  className?: string;
  /** The link to the page being shown (`aria-current="page"`). */
  current?: boolean;
}) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={routePath(to)} onClick={onClick} className={className} aria-current={current ? 'page' : undefined}>
      {children}
    </a>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

/**
 * A credential shown to be stored: a heading that takes focus, where it goes, the value, and a
 * copy button. `what` names it in the label and the button ("Secret", "Key").
 */
export function ShownOnce({
  id,
  title,
  what,
  value,
  children,
  onDone,
}: {
  id: string;
  title: ReactNode;
  what: string;
  value: string;
  children: ReactNode;
  onDone(): void;
}) {
  const [copied, setCopied] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('Could not copy automatically: select the text and copy it.');
    }
  };
  return (
    <section className="notice" aria-labelledby={id}>
      <h3 id={id} tabIndex={-1} ref={heading}>
        {title}
      </h3>
      <p className="warning">{children}</p>
      <label>
        {what}
        <input className="mono" readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <div className="row">
        <button type="button" onClick={() => void copy()}>
          Copy {what.toLowerCase()}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          I have stored it
        </button>
      </div>
      {copied && <p role="status">{copied}</p>}
    </section>
  );
}

/** A new application secret: where it goes and where to find it again. */
export function SecretNotice({
  title,
  app,
  secret,
  onDone,
}: {
  title: string;
  app: string;
  secret: string;
  onDone(): void;
}) {
  return (
    <ShownOnce id="secret-title" title={title} what="Secret" value={secret} onDone={onDone}>
      Store this secret where your applications read it: they need it to verify tokens. Keep it private. To see it again
      later, run <code>jawth apps show {app} --include-secret</code>.
    </ShownOnce>
  );
}

/** Comma- or line-separated text as a clean list. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

/** The username and password of a login or a new account, with the browser's autocomplete hints. */
export function CredentialFields({
  username,
  password,
  onUsername,
  onPassword,
  newPassword = false,
}: {
  username: string;
  password: string;
  onUsername(value: string): void;
  onPassword(value: string): void;
  /** A password being chosen (a password manager offers to generate one) rather than typed. */
  newPassword?: boolean;
}) {
  return (
    <>
      <label>
        Username
        <input
          name="username"
          autoComplete="username"
          required
          autoFocus
          value={username}
          onChange={(e) => onUsername(e.target.value)}
        />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete={newPassword ? 'new-password' : 'current-password'}
          required
          value={password}
          onChange={(e) => onPassword(e.target.value)}
        />
      </label>
    </>
  );
}
