import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { onTerminal } from './terminal';

const PASSWORD = 'typed-pass-word-31';

async function freshFolder(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jawth-prompt-'));
  expect((await runCli(['conf'], dir)).code).toBe(0);
  return dir;
}

describe('jawth init on a terminal', () => {
  it('prompts for the username and a hidden, confirmed password, and never echoes it', async () => {
    const dir = await freshFolder();

    const run = onTerminal(
      dir,
      ['init'],
      [
        ['Admin username: ', 'keeper'],
        ['Admin password: ', PASSWORD],
        ['Repeat it: ', PASSWORD],
      ],
    );

    expect(await run.code).toBe(0);
    expect(run.output()).toContain('Created admin account "keeper"');
    expect(run.output()).not.toContain(PASSWORD);
  });

  it('asks again, with the reason, after a password that is too short or too common', async () => {
    const dir = await freshFolder();

    const run = onTerminal(
      dir,
      ['init'],
      [
        ['Admin username: ', 'keeper'],
        ['Admin password: ', 'short'],
        ['The password must be at least 8 characters.\r\nAdmin password: ', 'password123'],
        ['This password is one of the most common ones; choose another.\r\nAdmin password: ', PASSWORD],
        ['Repeat it: ', PASSWORD],
      ],
    );

    expect(await run.code).toBe(0);
    expect(run.output()).toContain('Created admin account "keeper"');
  });

  it('asks again after two passwords that differ, and gives up after three refusals', async () => {
    const dir = await freshFolder();

    const run = onTerminal(
      dir,
      ['init'],
      [
        ['Admin username: ', 'keeper'],
        ['Admin password: ', PASSWORD],
        ['Repeat it: ', 'another-pass-word-32'],
        ['The two passwords differ.\r\nAdmin password: ', 'short'],
        ['The password must be at least 8 characters.\r\nAdmin password: ', 'short'],
      ],
    );

    expect(await run.code).toBe(1);
    expect(run.output()).toContain('jawth: The password must be at least 8 characters.\r\n');
    expect(run.output()).not.toContain('Created admin account');
  });
});
