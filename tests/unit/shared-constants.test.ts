import fs from 'node:fs';
import path from 'node:path';
import { APP_KEY_SCOPES, WEBHOOK_EVENTS } from '../../src/shared/constants';
import { createApplicationKeySchema } from '../../src/schemas/application-key.schema';
import { createWebhookSchema } from '../../src/schemas/webhook.schema';

// One list of webhook events and of key scopes, for the server, the console and the tests.
describe('src/shared/constants.ts', () => {
  it('imports nothing, so that the console bundles it without server code', () => {
    const source = fs.readFileSync(path.resolve(__dirname, '../../src/shared/constants.ts'), 'utf8');
    expect(source).not.toMatch(/^\s*import\b|\brequire\(/m);
  });

  it('is what the server validates with: every listed value is accepted, another is refused', () => {
    const hook = (events: string[]) => createWebhookSchema.safeParse({ url: 'https://example.com/h', events });
    expect(hook([...WEBHOOK_EVENTS]).success).toBe(true);
    expect(hook(['user.renamed']).success).toBe(false);
    const key = (scopes: string[]) => createApplicationKeySchema.safeParse({ label: 'k', scopes });
    expect(key([...APP_KEY_SCOPES]).success).toBe(true);
    expect(key(['users:admin']).success).toBe(false);
  });

  it('is the one copy: the console and the tests import it rather than list the values again', () => {
    const root = path.resolve(__dirname, '../..');
    const copies = ['web/src/pages/WebhooksPanel.tsx', 'web/src/pages/KeysPanel.tsx', 'tests/api/webhooks.test.ts']
      .map((file) => [file, fs.readFileSync(path.join(root, file), 'utf8')] as const)
      .filter(([, source]) => /'user\.password_changed',\s*\n|\{ scope: 'users:read'/.test(source))
      .map(([file]) => file);
    expect(copies).toEqual([]);
  });
});
