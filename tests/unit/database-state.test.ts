import { Sequelize } from 'sequelize';
import { publish, stateOf, subscribe } from '../../src/db/database';
import { openDatabase, sqliteBusyTimeoutMs } from '../../src/db/sequelize';
import { onSqliteWriteQueue } from '../../src/db/transaction';

describe('what the process keeps per database', () => {
  const one = openDatabase('sqlite::memory:', { timeouts: { connect: 1, statement: 0 } });
  const other = openDatabase('sqlite::memory:', { timeouts: { connect: 2, statement: 0 } });
  afterAll(() => Promise.all([one.close(), other.close()]));

  it('tells the subscribers of one database only of its own events', () => {
    const heard: string[] = [];
    const unsubscribe = subscribe(one, 'topic', () => heard.push('one'));
    subscribe(other, 'topic', () => heard.push('other'));
    publish(one, 'topic');
    unsubscribe();
    publish(one, 'topic');
    expect(heard).toEqual(['one']);
  });

  it('queues the SQLite writes of each database apart: a held write on one does not hold the other', async () => {
    let release: () => void = () => undefined;
    const held = onSqliteWriteQueue(one, () => new Promise<void>((resolve) => (release = resolve)));
    const after = onSqliteWriteQueue(one, async () => 'after');
    await expect(onSqliteWriteQueue(other, async () => 'other')).resolves.toBe('other');
    release();
    await held;
    await expect(after).resolves.toBe('after');
  });

  it("keeps each database's busy timeout", () => {
    expect([sqliteBusyTimeoutMs(one), sqliteBusyTimeoutMs(other)]).toEqual([1000, 2000]);
  });

  it('refuses a connection that openDatabase did not open', () => {
    expect(() => stateOf(new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false }))).toThrow(
      /openDatabase/,
    );
  });
});
