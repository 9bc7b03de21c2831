import { Router } from 'express';
import type { z } from 'zod';
import type { indexSchema } from '../../schemas/responses.schema';

const INDEX: z.infer<typeof indexSchema> = {
  name: 'jawth',
  console: '/admin/',
  openapi: '/openapi.json',
  health: '/health',
};

/** GET /: a browser goes to the console; an API client gets where things are. */
export function rootRouter(): Router {
  const router = Router();
  router.get('/', (req, res) => {
    if (req.accepts(['json', 'html']) === 'html') return res.redirect(302, '/admin/');
    res.json(INDEX);
  });
  return router;
}
