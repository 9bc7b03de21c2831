import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { openDatabase } from '../../src/db/sequelize';
import { STACK_LINE, runCli } from '../helpers/cli';
import { createQuidFixture, type QuidFixture } from '../helpers/quid-fixture';

// The CLI on two SQLite files of its own; the Quid side is PostgreSQL, which CI always runs.
let dir: string;
let quid: QuidFixture;
const ENV = {
  SECRET_KEY: 'cli-import-secret-key-that-is-long-enough',
  JAWTH_KEY: 'cli-import-master-password',
  BCRYPT_COST: '10',
};
const first = { ...ENV, DATABASE_URL: 'sqlite:./first.sqlite' };
const second = { ...ENV, DATABASE_URL: 'sqlite:./second.sqlite' };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-import-'));
  quid = await createQuidFixture(
    [
      {
        name: 'quid',
        groups: ['quid_admin'],
        users: [{ username: 'root', password: 'quid-root-pass', groups: ['quid_admin'] }],
      },
      {
        name: 'shop',
        groups: ['staff'],
        users: [{ username: 'alice', password: 'alice-pass-1', groups: ['staff'], orgs: ['acme'] }],
      },
    ],
    ['acme'],
  );
});

afterAll(async () => {
  await quid.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function auditActions(file: string): Promise<string[]> {
  const db = openDatabase(`sqlite:${path.join(dir, file)}`);
  try {
    const rows = await db.query<{ action: string; actor: string; outcome: string; detail: string }>(
      'SELECT action, actor, outcome, detail FROM audit_log ORDER BY id',
      { type: QueryTypes.SELECT },
    );
    for (const row of rows) {
      expect(row).toMatchObject({ outcome: 'success', actor: expect.stringMatching(/^cli/) });
      expect(row.detail).not.toContain(quid.keys.get('shop')?.key);
    }
    return rows.map((row) => row.action);
  } finally {
    await db.close();
  }
}

describe('jawth import quid, jawth export, jawth import', () => {
  it("when the Quid key is wrong, then one clear line, exit 1, and jawth's database is not even migrated", async () => {
    const untouched = { ...ENV, DATABASE_URL: 'sqlite:./untouched.sqlite' };
    const res = await runCli(['import', 'quid', '--from', quid.url, '--quid-key', 'cd'.repeat(32)], dir, untouched);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^jawth: --quid-key does not decrypt the keys of 2 of 2 namespaces/);
    expect(res.stderr).not.toMatch(STACK_LINE);
    const db = openDatabase(`sqlite:${path.join(dir, 'untouched.sqlite')}`);
    try {
      expect(
        await db.query("SELECT name FROM sqlite_master WHERE type = 'table'", { type: QueryTypes.SELECT }),
      ).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('when run with --dry-run, then it prints the plan without secrets', async () => {
    const res = await runCli(['import', 'quid', '--from', quid.url, '--dry-run'], dir, {
      ...first,
      QUID_KEY: quid.quidKey,
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/shop\s+would_create\s+1\s+1\s+20m\s+1d/);
    expect(res.stdout).toContain('admin accounts: root would_create');
    expect(res.stdout).toContain('dry run: nothing was written');
    expect(res.stdout).not.toContain(quid.keys.get('shop')?.key);
  });

  it('imports, and prints secrets only with --show-secrets', async () => {
    const args = ['import', 'quid', '--from', quid.url, '--quid-key', quid.quidKey];
    const res = await runCli([...args, '--json'], dir, first);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report.applications).toEqual([expect.objectContaining({ name: 'shop', status: 'created', users: 1 })]);
    expect(report.admins).toEqual([{ username: 'root', status: 'created' }]);
    expect(res.stdout).not.toContain(quid.keys.get('shop')?.key);

    const again = await runCli([...args, '--dry-run', '--replace', '--show-secrets'], dir, first);
    expect(again.stdout).toMatch(/shop\s+would_replace/);
    expect(again.stdout).toContain(quid.keys.get('shop')?.key);
  });

  it('exports to a private file and imports it into an empty database, twice without change', async () => {
    const exported = await runCli(['export', '--output', 'dump.jsonl'], dir, first);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain('Exported 1 applications (0 keys), 1 orgs, 1 groups, 1 users.');
    const file = path.join(dir, 'dump.jsonl');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect((await runCli(['export'], dir, first)).stdout.split('\n').length).toBe(
      fs.readFileSync(file, 'utf8').split('\n').length,
    );

    const imported = await runCli(['import', 'dump.jsonl'], dir, second);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('users: 1 created, 0 already there');
    const again = await runCli(['import', 'dump.jsonl'], dir, second);
    expect(again.stdout).toContain('users: 0 created, 1 already there');
    expect(again.stdout).toContain('applications: 0 created, 1 already there');

    // Every run (dry runs too) is in the audit log of the database it worked on, without a secret.
    expect(await auditActions('first.sqlite')).toEqual([
      'import.quid',
      'import.quid',
      'import.quid',
      'export.dump',
      'export.dump',
    ]);
    expect(await auditActions('second.sqlite')).toEqual(['import.dump', 'import.dump']);
  });

  it('when the file is missing or not a dump, then one clear line and exit 1', async () => {
    const missing = await runCli(['import', 'nothing.jsonl'], dir, second);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('jawth: Cannot read "nothing.jsonl".\n');
    fs.writeFileSync(path.join(dir, 'other.jsonl'), '{"hello":1}\n');
    const other = await runCli(['import', 'other.jsonl'], dir, second);
    expect(other.stderr).toMatch(/^jawth: This is not a jawth dump/);
  });
});
