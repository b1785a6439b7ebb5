#!/usr/bin/env node
import { errorText } from '../internal/error-text.js';
import { runCli } from './cli.js';

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
} catch (error) {
  // Not a mistake in the command (those are answered by runCli): still one line, no stack trace.
  process.stderr.write(`verified-webhooks: ${errorText(error)}\n`);
  process.exitCode = 1;
}
