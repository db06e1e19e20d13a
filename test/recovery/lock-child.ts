/**
 * A child for `node-lock-takeover.test.ts`: runs one execution on a SQLite file under a node id
 * of another pid space (as a process in another container or before a reboot would look), prints
 * its id once its step runs, and hangs until it is killed.
 */
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { createOrchestrator } from '../../src/index.js';

const [storeFile, given] = process.argv.slice(2);
if (!storeFile || !given) throw new Error('usage: lock-child <store> <node id | legacy-here>');
// `legacy-here`: the id an earlier release gave a node of this process, without the boot id.
const nodeId =
  given === 'legacy-here'
    ? `${hostname()}~${readlinkSync('/proc/self/ns/pid').replace(/\D/g, '')}/${process.pid}/abc123`
    : given;
process.stdout.write(`node ${nodeId}\n`);
const orch = await createOrchestrator({
  store: `sqlite:${storeFile}`,
  nodeId,
  leaseSeconds: 60,
  actions: {
    hang: () => {
      process.stdout.write('running\n');
      return new Promise(() => undefined);
    },
  },
});
await orch.workflowEngine.defineWorkflow('w', [{ name: 'hang' }]);
const id = await orch.workflowEngine.executeWorkflow('w');
process.stdout.write(`id ${id}\n`);
