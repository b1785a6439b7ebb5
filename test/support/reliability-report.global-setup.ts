import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    reliabilityRows: string;
  }
}

const REPORT = fileURLToPath(new URL('../reliability/REPORT.md', import.meta.url));

/** One row a reliability scenario reports (see test/reliability/reliability-kit.ts). */
export interface ScenarioRow {
  scenario: string;
  load: string;
  faults: string;
  processed: number;
  duplicated: number;
  lost: number;
  falseAccepts: number;
  crashes: number;
  notes?: string;
}

/**
 * Scenario files append one JSON line per scenario to a file of this run. With VW_RELIABILITY_REPORT=1
 * (`npm run test:reliability-report`) the rows become test/reliability/REPORT.md at the end of the
 * run; `npm test` leaves the working tree as it found it.
 */
export default function setup(project: TestProject): () => void {
  const rows = join(tmpdir(), `vw-reliability-${process.pid}-${Date.now()}.jsonl`);
  project.provide('reliabilityRows', rows);
  return () => {
    if (!existsSync(rows)) return;
    const parsed = readFileSync(rows, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ScenarioRow)
      .sort((a, b) => a.scenario.localeCompare(b.scenario, 'en', { numeric: true }));
    rmSync(rows, { force: true });
    if (process.env.VW_RELIABILITY_REPORT === '1') writeFileSync(REPORT, renderReport(parsed));
  };
}

const cell = (value: string | number) => String(value).replaceAll('|', '\\|').replaceAll('\n', ' ');

export function renderReport(rows: ScenarioRow[]): string {
  const header =
    '| scenario | load | faults | processed | duplicated | lost | false accepts | crashes | notes |\n' +
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n';
  const body = rows
    .map(
      (row) =>
        `| ${[row.scenario, row.load, row.faults, row.processed, row.duplicated, row.lost, row.falseAccepts, row.crashes, row.notes ?? ''].map(cell).join(' | ')} |`,
    )
    .join('\n');
  return `# Reliability report

Written by \`npm run test:reliability-report\` (${new Date().toISOString()}, Node ${process.version}); only the
scenarios that ran are listed. \`npm run test:soak\` runs heavier variants (VW_SOAK=1).

- **processed**: deliveries the sample app's handlers ran (GET /events); **duplicated**: deliveries processed
  more than once; **lost**: deliveries the sender kept retrying that were never processed; **false accepts**:
  forged, mutated, replayed or misrouted deliveries that were accepted; **crashes**: processes that died
  without the test killing them (SIGKILLs the test sends on purpose are listed under faults).
- **Lease**: a claim is leased for \`leaseMs\` (60 s by default; \`WebhooksModule.forRoot({ leaseMs })\`, sample app:
  \`WEBHOOK_LEASE_MS\`) and renewed while the handler runs, up to \`maxHoldMs\` (10 min). After a crash in a handler
  the sender's retry is answered 409 + Retry-After until the lease ends, then processed. The crash and outage
  scenarios use a short lease to run fast.
- **Slow bodies**: the sample app sets Node's \`server.requestTimeout\` (\`WEBHOOK_REQUEST_TIMEOUT_MS\`, 30 s by
  default) so a trickled body is cut off with 408.

${header}${body}
`;
}
