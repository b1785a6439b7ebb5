/**
 * What a forged request costs before it is refused: ms per request (median of N) through the whole
 * WebhookVerifier (replay off), beside a plain `hmac()` check of the same body, and the reason it was
 * refused. One line per attack.
 * `npm run bench:forged [-- --runs N]`.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { AnyWebhookScheme, WebhookHeaders } from '@verified-webhooks/core';
import {
  box,
  hmac,
  mailgun,
  standardWebhooks,
  twilio,
  WebhookVerificationError,
  WebhookVerifier,
} from '@verified-webhooks/core';
import { median } from './common.js';

const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag === -1 ? 21 : Number(process.argv[runsFlag + 1]);
const MIB = 1024 * 1024;
const BODY_LIMIT = { maxHeaderLength: 8192 };
const HMAC_SECRET = 'forged-cost-bench-secret-0123456789';
const URL = 'https://hooks.example.com/twilio';

interface Forged {
  readonly scheme: AnyWebhookScheme;
  readonly secrets: string[];
  readonly headers: WebhookHeaders;
  readonly body: Buffer;
  readonly url?: string;
}

/**
 * ms per refused request, median of RUNS after two warm-ups, and the reason it was refused; an
 * accepted forgery aborts the bench.
 */
async function msPerRequest({ scheme, secrets, headers, body, url }: Forged): Promise<[number, string]> {
  const verifier = new WebhookVerifier({ scheme, secrets, replayStore: false, ...BODY_LIMIT });
  const request = { headers, rawBody: body, url };
  let reason = '';
  const once = async (): Promise<number> => {
    const started = performance.now();
    const accepted = await verifier.verify(request).then(
      () => true,
      (error: unknown) => {
        // refused, as a forgery must be
        reason = error instanceof WebhookVerificationError ? error.reason : String(error);
        return false;
      },
    );
    const ms = performance.now() - started;
    if (accepted) throw new Error(`${scheme.name}: the forged request was accepted`);
    return ms;
  };
  await once();
  await once();
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) samples.push(await once());
  return [median(samples), reason];
}

const forgedBase64 = (bytes: number) => randomBytes(bytes).toString('base64');
const hmacBaseline = (body: Buffer): Forged => ({
  scheme: hmac({ signatureHeader: 'x-hmac' }),
  secrets: [HMAC_SECRET],
  headers: { 'x-hmac': randomBytes(32).toString('hex'), 'content-type': 'application/json' },
  body,
});

/** `unit` repeated to `bytes` inside a JSON string: the content the Box escaping expands most. */
const jsonOf = (unit: string, bytes: number) => {
  const head = '{"source":{"name":"';
  const tail = '"}}';
  const units = Math.floor((bytes - head.length - tail.length) / Buffer.byteLength(unit));
  return Buffer.from(head + unit.repeat(units) + tail, 'utf8');
};

const boxForged = (body: Buffer): Forged => ({
  scheme: box(),
  secrets: ['box-primary-key-0123456789', 'box-secondary-key-0123456789'],
  headers: {
    'box-delivery-id': 'f96bb54b-ee16-4fc5-aa65-8c2d9e5b546f',
    'box-delivery-timestamp': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'box-signature-algorithm': 'HmacSHA256',
    'box-signature-version': '1',
    'box-signature-primary': forgedBase64(32),
    'box-signature-secondary': forgedBase64(32),
    'content-type': 'application/json',
  },
  body,
});

/** A 1 MiB form of one-byte parameters (the most parameters per byte), signature fields last. */
const tinyParamsForm = (tail = '') => {
  const pairs = 'a=1&'.repeat(Math.floor((MIB - tail.length) / 4));
  return Buffer.from(tail === '' ? pairs.slice(0, -1) : pairs + tail, 'utf8');
};
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const twilioForged = (body: Buffer): Forged => ({
  scheme: twilio(),
  secrets: ['twilio-auth-token-of-32-characters'],
  headers: { ...FORM, 'x-twilio-signature': forgedBase64(20) },
  body,
  url: URL,
});

const mailgunForged = (): Forged => {
  const fields = `timestamp=${Math.floor(Date.now() / 1000)}&token=${'t'.repeat(50)}&signature=${randomBytes(32).toString('hex')}`;
  return {
    scheme: mailgun(),
    secrets: ['mailgun-signing-key-0123456789abcdef'],
    headers: FORM,
    body: tinyParamsForm(fields),
  };
};

/**
 * Well-formed v1a entries by another key: a random 64-byte value is refused by the ed25519 point and
 * scalar checks before the message is hashed, so it would not show the cost.
 */
const standardForged = (body: Buffer, entries: number): Forged => {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  const other = generateKeyPairSync('ed25519').privateKey;
  const entry = () => `v1a,${sign(null, randomBytes(16), other).toString('base64')}`;
  return {
    scheme: standardWebhooks(),
    secrets: [`whpk_${raw.toString('base64')}`],
    headers: {
      'webhook-id': 'msg_forged',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': Array.from({ length: entries }, entry).join(' '),
      'content-type': 'application/json',
    },
    body,
  };
};

const plainJson = jsonOf('x', MIB);
const percentForm = Buffer.from(`v=${'%41'.repeat(Math.floor((MIB - 2) / 3))}`);
const rows: [string, Forged, Buffer][] = [
  ['box, 2 keys, 1 MiB of U+007F', boxForged(jsonOf('\u007f', MIB)), jsonOf('\u007f', MIB)],
  ['box, 2 keys, 1 MiB of é', boxForged(jsonOf('é', MIB)), jsonOf('é', MIB)],
  ['box, 2 keys, 1 MiB of /', boxForged(jsonOf('/', MIB)), jsonOf('/', MIB)],
  ['box, 2 keys, 1 MiB of ASCII', boxForged(plainJson), plainJson],
  [
    'box, 2 keys, 64 KiB of U+007F (the cap)',
    boxForged(jsonOf('\u007f', 64 * 1024)),
    jsonOf('\u007f', 64 * 1024),
  ],
  ['twilio, 1 MiB form of a=1 pairs', twilioForged(tinyParamsForm()), tinyParamsForm()],
  ['twilio, 1 MiB form, one %41 value', twilioForged(percentForm), percentForm],
  ['mailgun, 1 MiB form of a=1 pairs', mailgunForged(), mailgunForged().body],
  ['standard-webhooks whpk_, 16 v1a, 1 MiB', standardForged(plainJson, 16), plainJson],
  ['standard-webhooks whpk_, 2 v1a, 1 MiB', standardForged(plainJson, 2), plainJson],
];

console.log(`forged-request cost, median of ${RUNS} (Node ${process.version})`);
console.log(
  'attack'.padEnd(42) +
    'ms/req'.padStart(9) +
    'hmac() ms'.padStart(11) +
    'ratio'.padStart(8) +
    '  refused as',
);
for (const [label, forged, baselineBody] of rows) {
  const [ms, reason] = await msPerRequest(forged);
  const [baseline] = await msPerRequest(hmacBaseline(baselineBody));
  console.log(
    label.padEnd(42) +
      ms.toFixed(2).padStart(9) +
      baseline.toFixed(2).padStart(11) +
      `${(ms / baseline).toFixed(1)}×`.padStart(8) +
      `  ${reason}`,
  );
}
