/**
 * `orchestrator workers`: the configured workers and every worker seen on active executions,
 * with how many running executions each holds (from their stored `workerId`), and the nodes
 * (processes) that hold unfinished executions, with the state of their leases.
 * @module
 */
import type { Command } from 'commander';
import { formatTime, plural } from '../format.js';
import { setup } from '../globals.js';
import { workersReport } from '../reports.js';
import { withClient } from '../store-client.js';
import { renderTable } from '../table.js';

/** Registers `workers`. */
export function register(program: Command): void {
  program
    .command('workers')
    .description('worker load and the processes holding executions, from the store')
    .action(async (_options: object, command: Command) => {
      const { globals, out } = setup(command);
      const report = await withClient(globals.store, (client) => workersReport(client));
      process.exitCode = 0;
      if (out.json) {
        out.data(report);
        return;
      }
      const workerRows = report.workers.map((w) => [
        w.id,
        String(w.active),
        w.configured ? 'configured' : 'seen',
      ]);
      out.line(...renderTable(['WORKER', 'ACTIVE', 'SOURCE'], workerRows, { header: out.style.dim }));
      out.line('');
      if (report.nodes.length === 0) {
        out.line('No process holds unfinished executions.');
      } else {
        const nodeRows = report.nodes.map((n) => [
          n.id,
          n.state === 'alive' ? out.style.green(n.state) : out.style.yellow(n.state),
          String(n.executions),
          n.leaseUntil === null ? '-' : formatTime(new Date(n.leaseUntil)),
        ]);
        out.line(
          ...renderTable(['NODE', 'STATE', 'EXECUTIONS', 'LEASE UNTIL'], nodeRows, { header: out.style.dim }),
        );
        const orphans = report.nodes
          .filter((n) => n.state !== 'alive')
          .reduce((sum, n) => sum + n.executions, 0);
        if (orphans > 0) {
          out.line(
            '',
            `${plural(orphans, 'execution')} of gone processes resume when the next orchestrator opens this store.`,
          );
        }
      }
      out.line(
        '',
        out.style.dim(
          'ACTIVE counts running and compensating executions by their stored worker; configured = the default workers.',
        ),
      );
    });
}
