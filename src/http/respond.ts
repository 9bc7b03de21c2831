import type { Response } from 'express';

/** List answers: a JSON array, with the total count in X-Total-Count (contract §1). */
export function sendList<T>(res: Response, items: T[], total: number): void {
  res.setHeader('X-Total-Count', String(total));
  res.json(items);
}

/** Answers that carry tokens are never stored by a browser or a proxy (contract §4.3). */
export function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
}
