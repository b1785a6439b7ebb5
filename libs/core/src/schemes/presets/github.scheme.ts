import { randomUUID } from 'node:crypto';
import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { readHeader } from '../../internal/headers.js';
import { hmac } from '../hmac.scheme.js';
import type { ParseContext, ParsedWebhook, SignInput, WebhookScheme } from '../webhook-scheme.interface.js';

export interface GithubOptions {
  /**
   * Also accept deliveries that carry only the legacy `X-Hub-Signature: sha1=…` (old GitHub
   * Enterprise Server). Off by default; when both headers are sent, only SHA-256 is checked.
   */
  legacySha1?: boolean;
  name?: string;
}

export interface GithubParsed extends ParsedWebhook {
  readonly algorithm: 'sha256' | 'sha1';
}

const SHA256_HEADER = 'x-hub-signature-256';
const SHA1_HEADER = 'x-hub-signature';
const ID_HEADER = 'x-github-delivery';
const TYPE_HEADER = 'x-github-event';

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`. `X-GitHub-Delivery` and
 * `X-GitHub-Event` are not signed: the id is exposed but the replay key is a digest of the signed
 * body, so a replay under a fresh delivery id is still caught. No timestamp is sent, so a captured
 * delivery stays valid forever; only the replay store's memory limits its reuse.
 */
export function github(options: GithubOptions = {}): WebhookScheme<Buffer, GithubParsed> {
  const name = options.name ?? 'github';
  const common = { name, idHeader: ID_HEADER, typeHeader: TYPE_HEADER } as const;
  const sha256 = hmac({ ...common, signatureHeader: SHA256_HEADER, prefix: 'sha256=' });
  const sha1 = options.legacySha1
    ? hmac({ ...common, signatureHeader: SHA1_HEADER, prefix: 'sha1=', algorithm: 'sha1', legacy: true })
    : undefined;

  return {
    name,
    // JSON, or its form mode (`payload=<JSON>`), unwrapped by the payload reader.
    payloadFormat: 'json',
    signs: sha256.signs,
    defaultToleranceMs: undefined,

    parse(headers: WebhookHeaders, context: ParseContext): GithubParsed {
      const hasSha256 = readHeader(headers, SHA256_HEADER, context.limits.maxHeaderLength) !== undefined;
      if (!hasSha256 && sha1 && readHeader(headers, SHA1_HEADER, context.limits.maxHeaderLength)) {
        return { ...sha1.parse(headers, context), algorithm: 'sha1' };
      }
      if (!hasSha256) {
        throw new WebhookVerificationError('missing_signature', 'Header X-Hub-Signature-256 is missing.');
      }
      return { ...sha256.parse(headers, context), algorithm: 'sha256' };
    },

    importKey: (secret) => sha256.importKey(secret),

    verify(parsed: GithubParsed, rawBody: Buffer, key: Buffer): boolean {
      return parsed.algorithm === 'sha1'
        ? (sha1?.verify(parsed, rawBody, key) ?? false)
        : sha256.verify(parsed, rawBody, key);
    },

    /**
     * `issues` and `issues.opened` for an `issues` event whose payload says `"action": "opened"`, as
     * @octokit/webhooks names them. The event name comes from X-GitHub-Event, which GitHub does not
     * sign (`event.signed.type` is false); the action comes from the signed body.
     */
    eventNames(type: string | undefined, payload: unknown): string[] | undefined {
      if (type === undefined) return undefined;
      const action =
        typeof payload === 'object' && payload !== null
          ? (payload as { action?: unknown }).action
          : undefined;
      return typeof action === 'string' && action !== '' ? [type, `${type}.${action}`] : [type];
    },

    /** The headers GitHub sends (both signatures, as GitHub still does, when legacySha1 is on). */
    sign(input: SignInput): Record<string, string> {
      const headers = sha256.sign({ ...input, id: input.id ?? randomUUID(), type: input.type ?? 'ping' });
      return sha1 ? { ...headers, [SHA1_HEADER]: sha1.sign(input)[SHA1_HEADER]! } : headers;
    },
  };
}
