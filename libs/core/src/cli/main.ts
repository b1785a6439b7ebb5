#!/usr/bin/env node
import { runCli } from './cli.js';

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
} catch (error) {
  // Not a mistake in the command (those are answered by runCli): still one line, no stack trace.
  process.stderr.write(`verified-webhooks: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
