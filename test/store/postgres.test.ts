import { runStoreContract } from './contract.js';
import { pgFixture } from './pg-fixture.js';

// The fixture checks the server first: when it is down, every test fails with a clear message
// (never a silent skip).
runStoreContract('postgres (fresh schema per test)', { kind: 'postgres', durable: true }, () => pgFixture());
