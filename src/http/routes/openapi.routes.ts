import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { openApiDocument } from '../../openapi/document';

/** Contract §4.6: the OpenAPI 3.1 document, built once from the routes' own zod schemas. */
export function openApiRouter(): Router {
  const router = Router();
  // package.json sits three folders up from both src/http/routes and dist/http/routes.
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
    version: string;
  };
  const document = openApiDocument(pkg.version);
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
