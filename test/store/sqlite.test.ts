import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runStoreContract } from './contract.js';
import { sqliteFixture } from './sqlite-fixture.js';

runStoreContract('sqlite (file)', { kind: 'sqlite', durable: true }, () => sqliteFixture());

runStoreContract('sqlite (:memory:)', { kind: 'sqlite', durable: false }, async () => {
  const store = new SqliteStore(':memory:');
  return { store, cleanup: () => store.close() };
});
