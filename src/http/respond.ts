import type { Response } from 'express';

/** List answers: a JSON array, with the total count in X-Total-Count (contract §1). */
export function sendList<T>(res: Response, items: T[], total: number): void {
  res.setHeader('X-Total-Count', String(total));
  res.json(items);
}
