import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { createTestContext, type TestContext } from '../helpers/context';
import { closeServer, launchBrowser, listen, watchProblems } from './browser';

jest.setTimeout(60_000);

// docs/api.md, Operations: GET /docs renders the OpenAPI document in a browser with nothing
// loaded from another origin (the policy would refuse it, and the page would report it).
let ctx: TestContext;
let server: Server;
let baseUrl: string;
let browser: Browser;
beforeAll(async () => {
  ctx = await createTestContext();
  ({ server, url: baseUrl } = await listen(ctx.app));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  if (server) await closeServer(server);
  await ctx?.close();
});

describe('GET /docs in Chromium', () => {
  it('shows the operations of the document, and asks nothing of another origin', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    const requested: string[] = [];
    const refused: string[] = [];
    page.on('request', (req) => requested.push(req.url()));
    page.on('requestfailed', (req) => {
      if (req.failure()?.errorText === 'csp') refused.push(req.url());
    });

    await page.goto(`${baseUrl}/docs`);
    await page
      .getByRole('heading', { name: /Log in \(brute-force limited/ })
      .first()
      .waitFor();
    // The side menu and the sections name every operation by its summary.
    const text = await page.locator('body').innerText();
    for (const summary of ['List applications', 'An access token for a refresh token', 'Users of one application']) {
      expect(text).toContain(summary);
    }

    // Redoc's side menu shows its maker's logo from a CDN: the policy refuses it before it leaves.
    const elsewhere = requested.filter((url) => !url.startsWith(`${baseUrl}/`) && !url.startsWith('blob:'));
    expect(elsewhere.filter((url) => !refused.includes(url))).toEqual([]);
    expect(requested).toEqual(
      expect.arrayContaining([`${baseUrl}/docs/redoc.standalone.js`, `${baseUrl}/openapi.json`]),
    );
    expect(problems.filter((problem) => !/violates the following Content Security Policy/.test(problem))).toEqual([]);
    await page.close();
  });
});
