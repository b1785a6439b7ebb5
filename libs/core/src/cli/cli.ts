import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { errorText } from '../internal/error-text.js';
import type { PresetName } from '../schemes/preset-registry.js';
import { presetNames, resolveScheme } from '../schemes/preset-registry.js';
import { generateSecret } from '../secrets/generate-secret.js';
import { MIN_SECRET_BYTES } from '../secrets/secret.js';
import { DEAD_LETTERS_HELP, DEAD_LETTERS_USAGE, deadLetters } from './dead-letters.command.js';
import { QUEUE_HELP, QUEUE_USAGE, queueCommand } from './queue.command.js';
import { REPLAY_HELP, REPLAY_USAGE, replay } from './replay.command.js';
import { UsageError } from './usage-error.js';

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const USAGE = `verified-webhooks: sign and send test deliveries, generate secrets.

Usage:
  verified-webhooks send --scheme <name> --secret <secret> --url <url> (--data <file.json> | --body <text>)
                         [--repeat N] [--tamper] [--header name:value]... [--id <id>] [--type <event type>]
  verified-webhooks secret --scheme <name>
${DEAD_LETTERS_USAGE}
${QUEUE_USAGE}
${REPLAY_USAGE}

send    signs the body as the scheme's sender does and POSTs it (N times with --repeat, to see the
        duplicate answer); --tamper changes the body after signing (the answer should be 401; for
        schemes that sign inside the body, such as adyen, its signatures are made with another key).
        Prints each answer: its status and body.
secret  prints a strong random secret in the scheme's format (e.g. whsec_… for standard-webhooks).
${DEAD_LETTERS_HELP}
${QUEUE_HELP}
${REPLAY_HELP}

Exit codes: 0 done; 1 a delivery could not be sent; 2 a mistake in the command (one line on stderr says which).

Schemes: ${presetNames().join(', ')}`;

const SEND_OPTIONS = {
  scheme: { type: 'string' },
  secret: { type: 'string' },
  url: { type: 'string' },
  data: { type: 'string' },
  body: { type: 'string' },
  repeat: { type: 'string', default: '1' },
  tamper: { type: 'boolean', default: false },
  header: { type: 'string', multiple: true },
  id: { type: 'string' },
  type: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Exit codes. */
const OK = 0;
const NOT_SENT = 1;
const MISTAKE = 2;

/**
 * Runs the CLI; resolves to the process exit code: 0 ok, 1 a delivery could not be sent, 2 a mistake
 * in the command (an unknown scheme or option, a missing or unreadable input, an unusable or short
 * secret), reported as one line without a stack trace.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'send') return await send(rest, io);
    if (command === 'secret') return secret(rest, io);
    if (command === 'dead-letters') return await deadLetters(rest, io);
    if (command === 'pause' || command === 'resume' || command === 'status')
      return await queueCommand(command, rest, io);
    if (command === 'replay') return await replay(rest, io);
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      io.out(USAGE);
      return OK;
    }
    throw new UsageError(
      `Unknown command "${command}"; the commands are send, secret, dead-letters, replay, pause, resume and status.`,
    );
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      // parseArgs reports an unknown option or a missing value as a TypeError with a code.
      io.err(`verified-webhooks: ${oneLine(error.message)} (verified-webhooks --help for usage)`);
      return MISTAKE;
    }
    throw error;
  }
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

async function send(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: SEND_OPTIONS, strict: true });
  if (values.help) {
    io.out(USAGE);
    return OK;
  }
  const scheme = schemeOf(values.scheme);
  const secretValue = required(values.secret, '--secret');
  checkSecret(scheme, secretValue);
  const url = required(values.url, '--url');
  if (!URL.canParse(url)) throw new UsageError(`--url takes an absolute URL (http://…), got "${url}".`);
  if ((values.data === undefined) === (values.body === undefined)) {
    throw new UsageError('Give the body with exactly one of --data <file> or --body <text>.');
  }
  const body = values.data !== undefined ? await readData(values.data) : values.body!;
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError('--repeat takes a whole number ≥ 1.');
  const extra: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header takes name:value, got "${header}".`);
    extra[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }

  const input = {
    secret: secretValue,
    body,
    id: values.id ?? `msg_${randomUUID()}`,
    timestamp: new Date(),
    url,
    ...(values.type === undefined ? {} : { type: values.type }),
  };
  let signed: Record<string, string>;
  try {
    signed = scheme.sign(input);
  } catch (error) {
    // Senders that sign with their own keys (SNS, Pub/Sub) cannot be imitated here: say so in one line.
    throw new UsageError(`${scheme.name} cannot be sent by this CLI: ${errorText(error)}`);
  }
  const headers = { 'content-type': 'application/json', ...signed, ...extra };
  // After signing: even one added byte must be refused. Schemes that sign inside the body (Adyen)
  // send the body they signed; tampered, its signatures are made with another key.
  const sent =
    scheme.signBody === undefined
      ? values.tamper
        ? `${body} `
        : body
      : signedBodyOf(scheme, values.tamper ? { ...input, secret: generateSecret(scheme.name) } : input);
  for (let attempt = 1; attempt <= repeat; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers, body: sent });
    } catch (error) {
      io.err(`#${attempt}: could not reach ${url}: ${errorText(error)}`);
      return NOT_SENT;
    }
    const text = await response.text();
    io.out(`#${attempt}: ${response.status} ${text}`);
  }
  return OK;
}

/** The body a body-signing scheme sends; a body it cannot sign is a mistake in the command. */
function signedBodyOf(scheme: ReturnType<typeof schemeOf>, input: Parameters<typeof scheme.sign>[0]): string {
  try {
    return scheme.signBody!(input).toString('utf8');
  } catch (error) {
    throw new UsageError(
      `The ${scheme.name} scheme signs inside the body, and cannot sign this one: ${errorText(error)}`,
    );
  }
}

async function readData(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? String(error));
    throw new UsageError(`Cannot read the --data file "${file}": ${why}.`);
  }
}

/** The secret must be one the scheme can use, and not short: a test delivery signed with it should verify. */
function checkSecret(scheme: ReturnType<typeof schemeOf>, secret: string): void {
  let key: unknown;
  try {
    key = scheme.importKey(secret);
  } catch (error) {
    throw new UsageError(`--secret is not a ${scheme.name} secret: ${errorText(error)}`);
  }
  if (Buffer.isBuffer(key) && key.length < MIN_SECRET_BYTES) {
    throw new UsageError(
      `--secret has ${key.length} bytes; use at least ${MIN_SECRET_BYTES} random bytes (verified-webhooks secret --scheme ${scheme.name} prints one).`,
    );
  }
}

function secret(args: string[], io: CliIo): number {
  const { values } = parseArgs({
    args,
    options: { scheme: { type: 'string', default: 'standard-webhooks' } },
    strict: true,
  });
  const scheme = schemeOf(values.scheme);
  const generated = generateSecret(values.scheme);
  try {
    scheme.importKey(generated); // a scheme with provider-issued keys (e.g. Ed25519) refuses a random string
  } catch (error) {
    const what = error instanceof Error ? ` ${error.message}` : '';
    throw new UsageError(
      `The ${scheme.name} scheme uses keys its provider issues; there is no secret to generate.${what}`,
    );
  }
  io.out(generated);
  return OK;
}

function schemeOf(name: string | undefined) {
  try {
    // Any string may come from the command line; resolveScheme refuses an unknown one, listing the known names.
    return resolveScheme(required(name, '--scheme') as PresetName);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // The hint about scheme objects is for code, not for the command line.
    const message = errorText(error);
    throw new UsageError(message.replace(/; or pass a scheme object.*$/, '.'));
  }
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required.`);
  return value;
}
