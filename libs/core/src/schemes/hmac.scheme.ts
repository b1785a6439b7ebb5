import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import type { SignatureEncoding } from '../internal/encoding.js';
import { decodeBase64, decodeSignature } from '../internal/encoding.js';
import type { WebhookHeaders } from '../internal/headers.js';
import { readHeader, requireHeader } from '../internal/headers.js';
import { anySignatureMatches } from '../internal/safe-compare.js';
import { toBuffer } from './kit/bytes.js';
import { hmacOf } from './kit/hmac-digest.js';
import { checkSecretText } from './kit/secret-import.js';
import { JSON_CONTENT_TYPE, signTime } from './kit/sign-input.js';
import { decodeSignatures } from './kit/signature-decoding.js';
import { requireSignatureHeader, splitBounded } from './kit/signature-header.js';
import { parseUnixMillis, parseUnixSeconds, toUnixSeconds } from './timestamp.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from './webhook-scheme.interface.js';

export type HmacAlgorithm = 'sha256' | 'sha384' | 'sha512' | 'sha3-256' | 'sha3-512' | 'sha1';

export interface HmacSchemeOptions {
  /** Scheme name for logs and the default endpoint. Default `hmac`. */
  name?: string;
  /** Header carrying the signature, e.g. `x-hmac`. */
  signatureHeader: string;
  /** Default `sha256`. `sha1` is refused unless `legacy: true`. */
  algorithm?: HmacAlgorithm;
  /** Allows sha1 for senders that still use it. SHA-1 HMAC is not broken, but new senders should not choose it. */
  legacy?: boolean;
  /** Default `hex`. */
  encoding?: SignatureEncoding;
  /** A prefix before the signature, e.g. `sha256=`. */
  prefix?: string;
  /** Several signatures in one header, separated by this string (rotation). Default: one signature. */
  separator?: string;
  idHeader?: string;
  typeHeader?: string;
  timestampHeader?: string;
  /** Unit of the timestamp header. Default `s`. */
  timestampUnit?: 's' | 'ms';
  /**
   * What is signed: `{body}` (default), or a template with `{id}`, `{timestamp}` and `{type}`
   * around it, e.g. `{id}.{timestamp}.{body}`. Only the fields named here are trusted.
   */
  signedContent?: string;
  /** Freshness window in ms (both directions) when a timestamp is signed. Default 5 minutes. */
  toleranceMs?: number;
  /** How the secret string becomes key bytes. Default `utf8`. */
  secretEncoding?: 'utf8' | 'base64' | 'hex';
}

const FIELD = /\{(id|timestamp|type|body)\}/g;
type Field = 'id' | 'timestamp' | 'type';
/** A template piece: literal text or a header field (objects, so literal text "id" is not a field). */
type Part = { readonly text: string } | { readonly field: Field };
type Fields = Record<Field, string>;

/** Splits a template around `{body}` (exactly once) into literal text and fields. */
function compileTemplate(template: string): { before: Part[]; after: Part[]; uses: Set<Field> } {
  const before: Part[] = [];
  const after: Part[] = [];
  const uses = new Set<Field>();
  let bodies = 0;
  let last = 0;
  for (const match of template.matchAll(FIELD)) {
    const target = bodies === 0 ? before : after;
    if (match.index > last) target.push({ text: template.slice(last, match.index) });
    const name = match[1] as Field | 'body';
    if (name === 'body') bodies++;
    else {
      target.push({ field: name });
      uses.add(name);
    }
    last = match.index + match[0].length;
  }
  if (last < template.length) after.push({ text: template.slice(last) });
  if (bodies !== 1) {
    throw new Error(`hmac(): signedContent must contain {body} exactly once, got "${template}".`);
  }
  assertUnambiguous(template, [...before, 'body', ...after]);
  return { before, after, uses };
}

const fieldName = (part: Part | 'body') =>
  part === 'body' ? '{body}' : 'field' in part ? `{${part.field}}` : undefined;

/**
 * Refuses a template whose signed bytes could be split into fields and body in more than one way:
 * then one signature signs many (id, body) pairs, each a new delivery. An id or type never holds a
 * literal of the template (parse() refuses it), and a timestamp is digits; so a field is delimited
 * when a literal stands between it and its neighbours, that literal cannot overlap itself (in
 * `{id}..{body}`, `a..` + `.x` and `a.` + `..x` sign alike), and one next to a timestamp does not
 * start or end with a digit on that side.
 */
function assertUnambiguous(template: string, sequence: (Part | 'body')[]): void {
  const refuse = (why: string) => {
    throw new Error(`hmac(): signedContent "${template}" ${why}`);
  };
  sequence.forEach((part, index) => {
    const next = sequence[index + 1];
    const [name, nextName] = [fieldName(part), next === undefined ? undefined : fieldName(next)];
    if (name !== undefined && nextName !== undefined) {
      refuse(
        `puts ${name} directly next to ${nextName}: characters could move between them, so one signature would sign many of them. Put a separator that cannot occur in the field between them, e.g. "${name}.${nextName}".`,
      );
    }
    if (part === 'body' || !('text' in part)) return;
    const neighbours = [sequence[index - 1], next].flatMap((other, side) =>
      other !== undefined && other !== 'body' && 'field' in other ? [[other.field, side] as const] : [],
    );
    for (const [field, side] of neighbours) {
      if (field === 'timestamp') {
        const edge = side === 0 ? part.text[0]! : part.text[part.text.length - 1]!;
        if (/\d/.test(edge)) {
          refuse(
            `has "${part.text}" next to {timestamp}: a timestamp is digits, so the separator must not ${side === 0 ? 'start' : 'end'} with a digit. Use e.g. "." or ":".`,
          );
        }
      } else if (selfOverlap(part.text) !== undefined) {
        refuse(
          `separates {${field}} with "${part.text}", which overlaps itself ("${selfOverlap(part.text)}" both starts and ends it): characters could move between {${field}} and its neighbour. Use a separator that cannot overlap, e.g. a single "." or ":".`,
        );
      }
    }
  });
}

/** The longest proper prefix of `text` that is also its suffix, if any. */
function selfOverlap(text: string): string | undefined {
  for (let length = text.length - 1; length > 0; length--) {
    if (text.startsWith(text.slice(text.length - length))) return text.slice(0, length);
  }
  return undefined;
}

/**
 * A generic HMAC scheme for senders without a preset, e.g. AWS API Gateway + SQS + Lambda setups
 * that send `x-hmac: <hex HMAC-SHA256 of the body>`.
 */
export function hmac(options: HmacSchemeOptions): WebhookScheme<Buffer> {
  const algorithm = options.algorithm ?? 'sha256';
  if (algorithm === 'sha1' && !options.legacy) {
    throw new Error('hmac(): sha1 needs `legacy: true`; prefer sha256 for new senders.');
  }
  const encoding = options.encoding ?? 'hex';
  const prefix = options.prefix ?? '';
  const signatureHeader = options.signatureHeader.toLowerCase();
  const template = compileTemplate(options.signedContent ?? '{body}');
  if (template.uses.has('id') && !options.idHeader)
    throw new Error('hmac(): {id} is signed but idHeader is not set.');
  if (template.uses.has('type') && !options.typeHeader) {
    throw new Error('hmac(): {type} is signed but typeHeader is not set.');
  }
  if (template.uses.has('timestamp') && !options.timestampHeader) {
    throw new Error('hmac(): {timestamp} is signed but timestampHeader is not set.');
  }
  const timestampSigned = template.uses.has('timestamp');
  const literals = [...template.before, ...template.after].flatMap((part) =>
    'text' in part ? [part.text] : [],
  );
  const timestampUnit = options.timestampUnit ?? 's';
  const digestBytes = hmacOf(algorithm, Buffer.from('probe')).length;

  const render = (parts: Part[], fields: Fields) =>
    parts.map((part) => ('text' in part ? part.text : fields[part.field])).join('');

  const mac = (key: Buffer, body: Buffer, fields: Fields) =>
    hmacOf(algorithm, key, render(template.before, fields), body, render(template.after, fields));

  const formatTimestamp = (ms: number) => (timestampUnit === 's' ? String(toUnixSeconds(ms)) : String(ms));

  const label = `${options.name ?? 'hmac'} secret`;
  const importKey = (secret: string | Buffer): Buffer => {
    // An empty Buffer is refused where every scheme's key is checked (the verifier, the boot check).
    if (Buffer.isBuffer(secret)) return secret;
    checkSecretText(label, secret);
    const encoding = options.secretEncoding ?? 'utf8';
    // Strict: Buffer.from() would silently drop bad characters and leave a short (or empty) key.
    // A base64 secret need not be the canonical spelling: it is a key, not a signature.
    const key =
      encoding === 'utf8'
        ? Buffer.from(secret, 'utf8')
        : encoding === 'base64'
          ? decodeBase64(secret)
          : decodeSignature(secret, encoding);
    if (key === undefined) {
      throw new WebhookVerificationError('invalid_secret', `The ${label} is not valid ${encoding}.`);
    }
    return key;
  };

  return {
    name: options.name ?? 'hmac',
    signs: { id: template.uses.has('id'), timestamp: timestampSigned, type: template.uses.has('type') },
    defaultToleranceMs: options.timestampHeader ? (options.toleranceMs ?? 5 * 60_000) : undefined,

    parse(headers: WebhookHeaders, { limits }: ParseContext): ParsedWebhook {
      const header = requireSignatureHeader(headers, signatureHeader, limits, { blankIsMissing: false });
      const values = splitBounded(header, options.separator || undefined, signatureHeader, limits);
      const signatures = decodeSignatures(values, encoding, digestBytes, signatureHeader, prefix);
      const read = (name: string | undefined, required: boolean) =>
        name === undefined
          ? undefined
          : required
            ? requireHeader(headers, [name.toLowerCase()], limits.maxHeaderLength)
            : readHeader(headers, name.toLowerCase(), limits.maxHeaderLength);
      const id = read(options.idHeader, template.uses.has('id'));
      const type = read(options.typeHeader, template.uses.has('type'));
      // A signed field holding the template's own separator could be re-split (`a.b` + body vs `a` +
      // `b.` body) into a different id with the same signature: refuse it.
      for (const [field, value] of [
        ['id', id],
        ['type', type],
      ] as const) {
        if (
          value !== undefined &&
          template.uses.has(field) &&
          literals.some((text) => value.includes(text))
        ) {
          throw new WebhookVerificationError(
            'malformed_header',
            `The ${field} contains the signed content's separator.`,
          );
        }
      }
      const rawTimestamp = read(options.timestampHeader, timestampSigned);
      const timestamp =
        rawTimestamp === undefined
          ? undefined
          : timestampUnit === 's'
            ? parseUnixSeconds(rawTimestamp)
            : parseUnixMillis(rawTimestamp);
      // An unsigned timestamp proves nothing, so it is not used for freshness.
      return { signatures, id, type, timestamp: timestampSigned ? timestamp : undefined };
    },

    importKey,

    verify(parsed: ParsedWebhook, rawBody: Buffer, key: Buffer): boolean {
      const fields = {
        id: parsed.id ?? '',
        type: parsed.type ?? '',
        timestamp: parsed.timestamp === undefined ? '' : formatTimestamp(parsed.timestamp),
      };
      return anySignatureMatches(mac(key, rawBody, fields), parsed.signatures);
    },

    sign(input: SignInput): Record<string, string> {
      const body = toBuffer(input.body);
      const time = signTime(input);
      const fields = {
        id: input.id ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
        type: input.type ?? 'test.event',
        timestamp: formatTimestamp(time),
      };
      const headers: Record<string, string> = {
        [signatureHeader]: prefix + mac(importKey(input.secret), body, fields).toString(encoding),
        'content-type': JSON_CONTENT_TYPE,
      };
      if (options.idHeader) headers[options.idHeader.toLowerCase()] = fields.id;
      if (options.typeHeader) headers[options.typeHeader.toLowerCase()] = fields.type;
      if (options.timestampHeader) headers[options.timestampHeader.toLowerCase()] = fields.timestamp;
      return headers;
    },
  };
}
