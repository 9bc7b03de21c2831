import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import { AppError } from '../../errors';

/** web/dist, built by `npm run build`; the same place from src/ (tests) and dist/ (production). */
export const CONSOLE_DIR = path.resolve(__dirname, '../../../web/dist');

/**
 * The console loads only its own files: no inline script or style, no CDN, no external font,
 * no framing. Its API calls go to this same origin.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const strictHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
};

/** docs/api.md, first-run setup: GET /admin/ serves the single-page console, with a fallback for its own paths. */
export function consoleRouter(dir = CONSOLE_DIR): Router {
  const router = Router();
  const index = path.join(dir, 'index.html');

  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next('router');
    strictHeaders(req, res, next);
  });
  router.use(
    express.static(dir, {
      index: 'index.html',
      setHeaders(res, file) {
        // Built assets carry a content hash in their names; index.html must be fresh every time.
        const hashed = file.includes(`${path.sep}assets${path.sep}`);
        res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  router.get('/*splat', (req, res, next) => {
    // Missing files under assets/ are real 404s; every other path is a page of the console.
    if (req.path.startsWith('/assets/') || !req.accepts('html')) return next();
    if (!fs.existsSync(index)) {
      throw new AppError('service_unavailable', 'The admin console is not built: run `npm run build`.');
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
