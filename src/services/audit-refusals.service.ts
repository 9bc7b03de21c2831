import { recordAudit, scrub, type AuditInput } from './audit.service';
import type { Deps } from './deps';

/** One audit entry per refused key and window; later refusals in the window add to its count. */
const WINDOW_MS = 60_000;
/** Counts are written to their entry at most this often, so refusals cost no write each. */
const FLUSH_MS = 1000;
/** Keys remembered at once; beyond it the oldest window is closed early (bounded memory). */
const MAX_KEYS = 10_000;

interface Window {
  entry: Promise<number | undefined>;
  endsAt: number;
  count: number;
  written: number;
  input: AuditInput;
}

export interface RefusalAudit {
  /** A refused attempt (429 or 503 overloaded): the first of its key in a window writes an entry, the next ones count. */
  record(input: AuditInput): Promise<void>;
}

/**
 * docs/api.md, Brute-force protection: refusals are summarised, so a flood of 429s cannot grow the audit log one row
 * each. The key is outcome, action, application, target and IP; the entry's `detail.count` says how many
 * refusals it stands for.
 */
export function createRefusalAudit(deps: Pick<Deps, 'audit' | 'clock' | 'logger'>): RefusalAudit {
  const windows = new Map<string, Window>();
  let timer: NodeJS.Timeout | undefined;

  const writeCounts = async () => {
    timer = undefined;
    const now = deps.clock.now().getTime();
    await Promise.all(
      [...windows].map(async ([key, window]) => {
        if (window.count !== window.written) {
          const id = await window.entry;
          const count = window.count;
          const detail = scrub({ ...window.input.detail, count }) as Record<string, unknown>;
          if (id !== undefined) await deps.audit.setDetail(id, detail).catch(() => undefined);
          window.written = count;
        }
        if (now >= window.endsAt) windows.delete(key);
      }),
    );
  };

  return {
    async record(input) {
      const now = deps.clock.now().getTime();
      const key = JSON.stringify([
        input.outcome,
        input.action,
        input.app ?? null,
        input.target ?? null,
        input.ip ?? null,
      ]);
      const open = windows.get(key);
      if (open && now < open.endsAt) {
        open.count += 1;
        timer ??= setTimeout(() => void writeCounts(), FLUSH_MS).unref();
        return;
      }
      if (windows.size >= MAX_KEYS) windows.delete(windows.keys().next().value as string);
      const first = { ...input, detail: { ...input.detail, count: 1 } };
      const entry = recordAudit(first, deps);
      windows.set(key, { entry, endsAt: now + WINDOW_MS, count: 1, written: 1, input });
      await entry;
    },
  };
}
