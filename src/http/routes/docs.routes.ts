import fs from 'node:fs';
import path from 'node:path';
import { Router, type RequestHandler } from 'express';
import { AppError } from '../../errors';

/** web/dist-docs, where `npm run build` copies Redoc's standalone bundle; the same place from src/ and dist/. */
export const DOCS_DIR = path.resolve(__dirname, '../../../web/dist-docs');
export const DOCS_SCRIPT = 'redoc.standalone.js';

/**
 * The reference page loads only this server's files and this server's document. Redoc styles
 * itself with styled-components, which writes <style> elements and style attributes (hence
 * 'unsafe-inline' for styles, never for scripts), and runs its search in a worker made from a
 * blob: URL. No other origin is allowed anything: no CDN, no font, no usage report.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  'worker-src blob:',
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Redoc reads the document from `spec-url` and starts by itself: no inline script. */
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>jawth API reference</title>
  </head>
  <body>
    <redoc spec-url="/openapi.json" hide-hostname="true"></redoc>
    <script src="/docs/${DOCS_SCRIPT}"></script>
  </body>
</html>
`;

const strictHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', DOCS_CSP);
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-cache');
  next();
};

/** docs/api.md, Operations: GET /docs, a reference page of GET /openapi.json (Redoc, served from here). */
export function docsRouter(dir = DOCS_DIR): Router {
  const router = Router({ caseSensitive: true, strict: true });
  router.get('/', strictHeaders, (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get(`/${DOCS_SCRIPT}`, strictHeaders, (_req, res) => {
    const file = path.join(dir, DOCS_SCRIPT);
    if (!fs.existsSync(file)) {
      throw new AppError('service_unavailable', 'The API reference page is not built: run `npm run build`.');
    }
    res.sendFile(file, { headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
  });
  return router;
}
