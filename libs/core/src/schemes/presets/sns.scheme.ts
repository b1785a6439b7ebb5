import { verify as verifySignature } from 'node:crypto';
import { WebhookVerificationError } from '../../errors/webhook-verification.error.js';
import { decodeCanonicalBase64 } from '../../internal/encoding.js';
import type { WebhookHeaders } from '../../internal/headers.js';
import { readHeader } from '../../internal/headers.js';
import { safeEqual } from '../../internal/safe-compare.js';
import type { KeyFetcher } from '../../keys/key-fetcher.js';
import { defaultKeyFetcher, UpstreamStatusError } from '../../keys/key-fetcher.js';
import { parsePemCertificate } from '../../keys/key-sets.js';
import {
  allowedUrl,
  SNS_CONFIRM_SUBSCRIPTION,
  SNS_SIGNING_CERT,
  snsHostRegion,
} from '../../keys/key-url-policy.js';
import { jsonObject } from '../kit/json-fields.js';
import { parseRfc3339 } from '../kit/rfc3339.js';
import type {
  HandshakeReply,
  HandshakeRequest,
  ParseContext,
  ParsedWebhook,
  WebhookScheme,
} from '../webhook-scheme.interface.js';

export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

/** The signed fields of an SNS message (MessageAttributes and UnsubscribeURL are not signed). */
export interface SnsMessage {
  readonly Type: SnsMessageType;
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Timestamp: string;
  readonly Message: string;
  readonly Subject?: string;
  /** Confirmations only. */
  readonly Token?: string;
  readonly SubscribeURL?: string;
}

export interface SnsOptions {
  /** Scheme name for logs and the default endpoint. Default `sns`. */
  name?: string;
  /**
   * Freshness of the signed `Timestamp` (when the message was published; retries keep it), both
   * directions. Default 65 minutes: SNS retries an HTTP/S delivery for up to an hour.
   */
  toleranceMs?: number;
  /** Where certificates are fetched through; default one shared production fetcher. */
  keys?: KeyFetcher;
  /**
   * Confirm a verified SubscriptionConfirmation by a GET of its SubscribeURL (through the SNS
   * allow-list), answered 200. Default false: the confirmation reaches your handlers as an event of
   * type `SubscriptionConfirmation`, unless `onSubscriptionConfirmation` takes it.
   */
  confirmSubscriptions?: boolean;
  /** Called with a verified SubscriptionConfirmation (answered 200 once it resolves); a throw answers 500. */
  onSubscriptionConfirmation?: (message: SnsMessage) => void | Promise<void>;
  /** Called with a verified UnsubscribeConfirmation (answered 200); without it, handlers get it as an event. */
  onUnsubscribeConfirmation?: (message: SnsMessage) => void | Promise<void>;
}

export interface SnsParsed extends ParsedWebhook {
  readonly message: SnsMessage;
  readonly certUrl: URL;
  readonly signatureVersion: '1' | '2';
  readonly stringToSign: Buffer;
}

/** Allowed topics: what the route's "secrets" name. */
export interface SnsTopicKey {
  readonly topicArn: Buffer;
}

const TYPES = new Set<string>(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']);
/** The fields each message type signs, in this order (AWS: "Verifying the signatures of Amazon SNS messages"). */
const SIGNED_NOTIFICATION = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const SIGNED_CONFIRMATION = [
  'Message',
  'MessageId',
  'SubscribeURL',
  'Timestamp',
  'Token',
  'TopicArn',
  'Type',
] as const;
const TOPIC_ARN =
  /^arn:(aws(?:-cn|-us-gov|-iso|-iso-[a-z])?):sns:([a-z]{2}(?:-[a-z]{2,10}){1,3}-\d{1,2}):\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;
const MESSAGE_ID = /^[A-Za-z0-9-]{1,100}$/;
/** Confirmed SubscriptionConfirmations remembered, so a replayed copy makes no second GET. */
const MAX_CONFIRMED = 1_000;
/** RSA 1024–8192-bit signatures. */
const MIN_SIGNATURE_BYTES = 128;
const MAX_SIGNATURE_BYTES = 1024;

/**
 * Amazon SNS HTTP/S subscriptions (docs/providers.md, "Amazon SNS"). The signature is in the JSON
 * body: `Signature` = base64 RSA over the canonical `Key\nvalue\n` string of the signed fields,
 * SHA1 for `SignatureVersion` 1, SHA256 for 2, with the certificate at `SigningCertURL`, which must
 * be `https://sns.<region>.amazonaws.com/SimpleNotificationService-<hex>.pem` (fetched once per URL,
 * cached). The route's secrets are the topic ARNs you accept; a message from any other topic is
 * refused before anything is fetched. Replay id = `MessageId` (signed).
 */
export function sns(options: SnsOptions = {}): WebhookScheme<SnsTopicKey, SnsParsed, Promise<boolean>> {
  const name = options.name ?? 'sns';
  const fetcher = () => options.keys ?? defaultKeyFetcher();
  const toleranceMs = options.toleranceMs ?? 65 * 60_000;
  // Topic + MessageId → until when: a confirmation replayed within the window is answered 200
  // without confirming again (docs/providers.md, "Amazon SNS"). Oldest dropped first past the bound.
  const confirmed = new Map<string, number>();

  return {
    name,
    signs: { id: true, timestamp: true, type: true, body: false },
    defaultToleranceMs: toleranceMs,
    payloadFormat: 'json',

    parse(headers: WebhookHeaders, context: ParseContext): SnsParsed {
      const body = jsonObject(context.rawBody);
      if (body === undefined) {
        throw new WebhookVerificationError('missing_signature', 'The body is not an SNS message (JSON).');
      }
      const text = (field: string, required = true): string | undefined => {
        const value = body[field];
        if (value === undefined || (value === null && !required)) {
          if (required)
            throw new WebhookVerificationError('missing_signature', `The SNS message has no ${field}.`);
          return undefined;
        }
        if (typeof value !== 'string') {
          throw new WebhookVerificationError(
            'malformed_signature',
            `The SNS message's ${field} is not a string.`,
          );
        }
        return value;
      };
      const type = text('Type')!;
      if (!TYPES.has(type)) {
        throw new WebhookVerificationError(
          'malformed_signature',
          'The SNS message Type is not one SNS sends.',
        );
      }
      const version = text('SignatureVersion')!;
      if (version !== '1' && version !== '2') {
        throw new WebhookVerificationError('malformed_signature', 'The SNS SignatureVersion is not 1 or 2.');
      }
      const signature = decodeCanonicalBase64(text('Signature')!);
      if (
        signature === undefined ||
        signature.length < MIN_SIGNATURE_BYTES ||
        signature.length > MAX_SIGNATURE_BYTES
      ) {
        throw new WebhookVerificationError(
          'malformed_signature',
          'The SNS Signature is not a base64 RSA signature.',
        );
      }
      const certUrl = allowedUrl(text('SigningCertURL')!, SNS_SIGNING_CERT);
      if (certUrl === undefined) {
        throw new WebhookVerificationError(
          'malformed_signature',
          'The SigningCertURL is not an SNS certificate URL (https://sns.<region>.amazonaws.com/SimpleNotificationService-….pem).',
        );
      }
      const topicArn = text('TopicArn')!;
      if (!TOPIC_ARN.test(topicArn)) {
        throw new WebhookVerificationError('malformed_signature', 'The SNS TopicArn is not a topic ARN.');
      }
      // SNS signs with its certificate in the topic's own region: a forged URL in another region
      // is refused here, before any fetch (docs/architecture.md, "Keys that are fetched").
      if (!inTopicRegion(certUrl, topicArn)) {
        throw new WebhookVerificationError(
          'malformed_signature',
          "The SigningCertURL is not in the TopicArn's region and partition.",
        );
      }
      const messageId = text('MessageId')!;
      if (!MESSAGE_ID.test(messageId)) {
        throw new WebhookVerificationError('malformed_signature', 'The SNS MessageId is malformed.');
      }
      const message: SnsMessage = {
        Type: type as SnsMessageType,
        MessageId: messageId,
        TopicArn: topicArn,
        Timestamp: text('Timestamp')!,
        Message: text('Message')!,
        ...optional('Subject', type === 'Notification' ? text('Subject', false) : undefined),
        ...(type === 'Notification'
          ? {}
          : {
              Token: text('Token')!,
              SubscribeURL: checkedSubscribeUrl(text('SubscribeURL')!, topicArn, text('Token')!),
            }),
      };
      const timestamp = parseRfc3339(message.Timestamp, 'Timestamp');
      // The unsigned headers must agree with the signed body, so nothing downstream reads a lie.
      for (const [header, value] of [
        ['x-amz-sns-message-type', type],
        ['x-amz-sns-message-id', messageId],
        ['x-amz-sns-topic-arn', topicArn],
      ] as const) {
        const sent = readHeader(headers, header, context.limits.maxHeaderLength);
        if (sent !== undefined && sent !== value) {
          throw new WebhookVerificationError(
            'malformed_header',
            `Header ${header} does not match the signed message.`,
          );
        }
      }
      return {
        signatures: [signature],
        id: messageId,
        timestamp,
        type,
        message,
        certUrl,
        signatureVersion: version,
        stringToSign: stringToSign(message),
      };
    },

    importKey(secret: string | Buffer): SnsTopicKey {
      const arn = Buffer.isBuffer(secret) ? secret.toString('utf8') : secret;
      if (!TOPIC_ARN.test(arn)) {
        throw new WebhookVerificationError(
          'invalid_secret',
          'An SNS "secret" is the ARN of a topic you accept (arn:aws:sns:<region>:<account>:<topic>).',
        );
      }
      return { topicArn: Buffer.from(arn) };
    },

    verify(parsed: SnsParsed, _rawBody: Buffer, key: SnsTopicKey): Promise<boolean> {
      // A topic this route does not accept costs no fetch.
      if (!safeEqual(key.topicArn, Buffer.from(parsed.message.TopicArn))) return Promise.resolve(false);
      return fetcher()
        .cached(parsed.certUrl, SNS_SIGNING_CERT, parsePemCertificate)
        .catch((error: unknown) => {
          // SNS answers 4xx only for a certificate it never issued: a forgery, not an outage.
          const cause = error instanceof WebhookVerificationError ? error.cause : undefined;
          if (cause instanceof UpstreamStatusError && cause.status >= 400 && cause.status < 500) {
            throw new WebhookVerificationError(
              'signature_mismatch',
              'The SigningCertURL does not name an SNS certificate.',
              { cause },
            );
          }
          throw error;
        })
        .then((publicKey) => {
          const algorithm = parsed.signatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
          let matched = false;
          for (const signature of parsed.signatures) {
            try {
              if (verifySignature(algorithm, parsed.stringToSign, publicKey, signature)) matched = true;
            } catch {
              // A key that cannot check this signature simply does not match.
            }
          }
          return matched;
        });
    },

    async signedHandshake(
      _request: HandshakeRequest,
      parsed: SnsParsed,
    ): Promise<HandshakeReply | undefined> {
      const { message } = parsed;
      if (message.Type === 'SubscriptionConfirmation') {
        if (options.onSubscriptionConfirmation) {
          await options.onSubscriptionConfirmation(message);
          return { status: 200 };
        }
        if (!options.confirmSubscriptions) return undefined;
        const id = `${message.TopicArn}\n${message.MessageId}`;
        const now = Date.now();
        if ((confirmed.get(id) ?? 0) > now) return { status: 200 };
        // Marked before the GET, so concurrent copies make one request; forgotten if it fails.
        confirmed.delete(id);
        if (confirmed.size >= MAX_CONFIRMED) confirmed.delete(confirmed.keys().next().value!);
        confirmed.set(id, now + 2 * toleranceMs);
        try {
          await fetcher().get(new URL(message.SubscribeURL!), SNS_CONFIRM_SUBSCRIPTION);
        } catch (error) {
          confirmed.delete(id);
          throw error;
        }
        return { status: 200 };
      }
      if (message.Type === 'UnsubscribeConfirmation' && options.onUnsubscribeConfirmation) {
        await options.onUnsubscribeConfirmation(message);
        return { status: 200 };
      }
      return undefined;
    },

    sign(): Record<string, string> {
      throw new Error(
        'SNS signs the message inside the body with an AWS certificate: build a signed body with signSnsMessage() from @verified-webhooks/core/testing.',
      );
    },
  };
}

/** The canonical string SNS signs for a message of its type (absent optional fields are skipped). */
export function stringToSign(message: SnsMessage): Buffer {
  const fields = message.Type === 'Notification' ? SIGNED_NOTIFICATION : SIGNED_CONFIRMATION;
  let text = '';
  for (const field of fields) {
    const value = message[field];
    if (value !== undefined) text += `${field}\n${value}\n`;
  }
  return Buffer.from(text, 'utf8');
}

/** The host is SNS's in the topic's region, and in its partition (`aws-cn` ↔ `.amazonaws.com.cn`). */
function inTopicRegion(url: URL, topicArn: string): boolean {
  const match = TOPIC_ARN.exec(topicArn);
  if (!match || snsHostRegion(url.hostname) !== match[2]) return false;
  return (match[1] === 'aws-cn') === url.hostname.endsWith('.amazonaws.com.cn');
}

/** The SubscribeURL must be SNS's own, in the topic's region and partition, for this topic and token. */
function checkedSubscribeUrl(text: string, topicArn: string, token: string): string {
  const url = allowedUrl(text, SNS_CONFIRM_SUBSCRIPTION);
  if (
    url === undefined ||
    !inTopicRegion(url, topicArn) ||
    url.searchParams.get('TopicArn') !== topicArn ||
    url.searchParams.get('Token') !== token
  ) {
    throw new WebhookVerificationError(
      'malformed_signature',
      'The SubscribeURL is not an SNS ConfirmSubscription URL for this topic and token.',
    );
  }
  return text;
}

const optional = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
