import { Readable, PassThrough } from 'node:stream';
import { exportDump } from '../../src/services/import/dump-export.service';
import { importDump } from '../../src/services/import/dump-import.service';
import { createTestContext, type TestContext } from '../helpers/context';
import { createApplication, createUser } from '../helpers/factories';

let source: TestContext;
let target: TestContext;
let lines: Record<string, unknown>[];

beforeAll(async () => {
  [source, target] = await Promise.all([createTestContext(), createTestContext()]);
  const app = await createApplication(source.app, { cors_origins: ['https://shop.example'] });
  await createUser(source.app, app.name);
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await exportDump(source.deps, out, {});
  out.end();
  lines = Buffer.concat(chunks)
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
});

afterAll(async () => {
  await Promise.all([source.close(), target.close()]);
});

/** The dump with `change` applied to its first record of `type`; returns the text and that record's line. */
function hostile(type: string, change: Record<string, unknown>): { text: string; line: number } {
  const index = lines.findIndex((record) => record.type === type);
  const changed = lines.map((record, i) => (i === index ? { ...record, ...change } : record));
  return { text: changed.map((record) => JSON.stringify(record)).join('\n') + '\n', line: index + 1 };
}

const importText = (text: string) => importDump(target.deps, () => Readable.from([text]), { batchSize: 3 });

async function nothingWritten() {
  expect(await target.models.Application.count()).toBe(0);
  expect(await target.models.User.count()).toBe(0);
}

describe('jawth import: every record passes the API field rules before anything is written', () => {
  it.each([
    ['application', { secret: 'k' }, 'secret'],
    ['application', { refresh_secret: 'k' }, 'refresh_secret'],
    ['application', { previous_secret: 'short' }, 'previous_secret'],
    ['application', { cors_origins: ['null'] }, 'cors_origins'],
    ['application', { cors_origins: ['https://a.example/path'] }, 'cors_origins'],
    ['application', { public_url: 'javascript:alert(1)' }, 'public_url'],
    ['application', { access_ttl_max: 1157 * 86400 }, 'access_ttl_max'],
    ['application', { access_ttl: 3600, access_ttl_max: 60 }, 'access_ttl'],
    ['application', { name: 'Bad App' }, 'name'],
    ['application', { name: 'applications' }, 'name'],
    ['application', { mail_templates: { recover: { subject: 'Hi', text: 'no link here' } } }, 'mail_templates'],
    ['user', { username: 'a/b' }, 'username'],
    ['user', { username: 'own\u0000er' }, 'username'],
    ['user', { password_hash: 'plain' }, 'password_hash'],
    ['user', { password_hash: '$2b$12$short' }, 'password_hash'],
    ['user', { email: 'not-an-address' }, 'email'],
    ['user', { groups: ['bad group\u0007'] }, 'groups'],
  ])('a %s record with %j is refused with its line and field, and nothing is written', async (type, change, field) => {
    const { text, line } = hostile(type, change);
    const error = await importText(text).catch((failure: Error) => failure);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(new RegExp(`line ${line}: .*${field}`));
    expect((error as Error).message).toMatch(/nothing imported/);
    await nothingWritten();
  });

  it('when several records are hostile, then each is reported with its own line', async () => {
    const appLine = lines.findIndex((record) => record.type === 'application');
    const userLine = lines.findIndex((record) => record.type === 'user');
    const changed = lines.map((record, i) =>
      i === appLine ? { ...record, secret: 'k' } : i === userLine ? { ...record, password_hash: 'plain' } : record,
    );
    const error = await importText(changed.map((record) => JSON.stringify(record)).join('\n') + '\n').catch(
      (failure: Error) => failure,
    );
    expect((error as Error).message).toMatch(/^2 record\(s\) refused/);
    expect((error as Error).message).toContain(`line ${appLine + 1}: secret`);
    expect((error as Error).message).toContain(`line ${userLine + 1}: password_hash`);
    await nothingWritten();
  });

  it('when the dump is clean, then it imports', async () => {
    const summary = await importText(lines.map((record) => JSON.stringify(record)).join('\n') + '\n');
    expect(summary.applications.created).toBe(1);
    expect(summary.users.created).toBe(1);
  });
});
