import type { WebhookHeaders } from '../internal/headers.js';
import type { AnyWebhookScheme, SignedFields } from '../schemes/webhook-scheme.interface.js';
import { storableHeader } from '../archive/secret-headers.js';
import { parsePayload, payloadFormat } from '../verify/payload.js';
import type { VerifiedWebhookEvent } from '../verify/verified-webhook-event.interface.js';

/**
 * A verified delivery as a queue stores it: the raw bytes, the headers, what verification
 * established, and when it arrived. Plain JSON, so any backend can keep it.
 */
export interface StoredDelivery {
  readonly deliveryKey: string;
  readonly endpoint: string;
  readonly scheme: string;
  readonly tenant?: string | undefined;
  readonly id?: string | undefined;
  readonly type?: string | undefined;
  /** The signed timestamp, ms since the epoch. */
  readonly timestamp?: number | undefined;
  readonly signed: Required<SignedFields>;
  /** The names handlers are dispatched by (see `eventNamesOf`). */
  readonly names: readonly string[];
  /** The raw body, base64. */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly receivedAt: number;
  /** The scheme's `payloadFormat`, so the worker reads the payload as the request did. */
  readonly payloadFormat?: 'json' | undefined;
  /** The W3C trace context of the request that queued it, so the job's spans join its trace. */
  readonly traceparent?: string | undefined;
  readonly tracestate?: string | undefined;
  /** Set on a replay of an archived delivery (docs/architecture.md, "Archive and replay"). */
  readonly via?: 'replay' | undefined;
  /**
   * The body is not the bytes that were verified: the scheme's `storedBody` took a secret out of it
   * (Graph's clientState). A replay trusts it as stored, as for the archive's redaction hook.
   */
  readonly redacted?: true | undefined;
  /** Which replay: part of the job ids, so a replay is queued even while the original's jobs are kept. */
  readonly replayId?: string | undefined;
}

/** Headers a queue never keeps: credentials of the request, not of the delivery. */
const UNSTORED_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-api-key']);

export function storeDelivery(
  event: VerifiedWebhookEvent,
  names: readonly string[],
  headers: WebhookHeaders,
  receivedAt: number,
  scheme?: { readonly payloadFormat?: 'json' } | AnyWebhookScheme,
): StoredDelivery {
  const kept: Record<string, string> = {};
  // A shared-token scheme's header is the secret itself: verified already, never stored.
  const storable = storableHeader(scheme && 'sign' in scheme ? scheme : undefined);
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || UNSTORED_HEADERS.has(lower) || !storable(lower)) continue;
    kept[lower] = typeof value === 'string' ? value : value.join(', ');
  }
  // Secrets the sender put in the body never reach the queue (nor, from it, an archive).
  const stored =
    scheme && 'storedBody' in scheme && scheme.storedBody ? scheme.storedBody(event.rawBody) : event.rawBody;
  const redacted = !stored.equals(event.rawBody);
  return {
    deliveryKey: event.deliveryKey,
    endpoint: event.endpoint,
    scheme: event.scheme,
    tenant: event.tenant,
    id: event.id,
    type: event.type,
    timestamp: event.timestamp?.getTime(),
    signed: event.signed,
    names,
    body: stored.toString('base64'),
    headers: kept,
    receivedAt,
    ...(redacted ? { redacted: true as const } : {}),
    ...(scheme?.payloadFormat ? { payloadFormat: scheme.payloadFormat } : {}),
  };
}

/** The event a handler receives in the worker: the stored delivery, verified when it arrived. */
export class StoredEvent implements VerifiedWebhookEvent {
  readonly id: string | undefined;
  readonly type: string | undefined;
  readonly timestamp: Date | undefined;
  readonly scheme: string;
  readonly endpoint: string;
  readonly tenant: string | undefined;
  readonly deliveryKey: string;
  readonly rawBody: Buffer;
  readonly signed: Required<SignedFields>;
  #payload: { value: unknown } | undefined;
  readonly #contentType: string | undefined;
  readonly #payloadFormat: 'json' | undefined;

  constructor(delivery: StoredDelivery) {
    this.id = delivery.id;
    this.type = delivery.type;
    this.timestamp = delivery.timestamp === undefined ? undefined : new Date(delivery.timestamp);
    this.scheme = delivery.scheme;
    this.endpoint = delivery.endpoint;
    this.tenant = delivery.tenant;
    this.deliveryKey = delivery.deliveryKey;
    this.rawBody = Buffer.from(delivery.body, 'base64');
    this.signed = delivery.signed;
    this.#contentType = delivery.headers['content-type'];
    this.#payloadFormat = delivery.payloadFormat;
  }

  get payload(): unknown {
    this.#payload ??= {
      value: parsePayload(
        this.rawBody,
        payloadFormat(this.#contentType, { payloadFormat: this.#payloadFormat }),
      ),
    };
    return this.#payload.value;
  }

  toJSON() {
    const { id, type, timestamp, scheme, endpoint, tenant, payload } = this;
    return { id, type, timestamp, scheme, endpoint, tenant, payload };
  }
}
