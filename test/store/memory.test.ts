import { MemoryStore } from '../../src/store/memory-store.js';
import { runStoreContract } from './contract.js';

runStoreContract('memory', { kind: 'memory', durable: false }, async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});
