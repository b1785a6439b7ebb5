import type { AnyWebhookScheme, ParsedWebhook, SignedFields } from '../schemes/webhook-scheme.interface.js';
import type { PayloadFormat } from './payload.js';
import { parsePayload, payloadFormat } from './payload.js';
import type { VerifiedWebhookEvent } from './verified-webhook-event.interface.js';

/** What the verifier knows of a delivery once its signature matched. */
export interface VerifiedFacts {
  readonly scheme: AnyWebhookScheme;
  readonly parsed: ParsedWebhook;
  readonly rawBody: Buffer;
  readonly endpoint: string;
  readonly tenant: string | undefined;
  readonly contentType: string | undefined;
  readonly deliveryKey: string;
}

/**
 * The verified delivery handed to the handler. A class, so its lazy fields (the id and type from the
 * body, the parsed payload) cost nothing until read.
 */
export class VerifiedDelivery implements VerifiedWebhookEvent {
  readonly scheme: string;
  readonly endpoint: string;
  readonly tenant: string | undefined;
  readonly deliveryKey: string;
  readonly rawBody: Buffer;
  // #private: kept out of util.inspect and JSON, so logging an event never shows its signature header.
  readonly #source: AnyWebhookScheme;
  readonly #parsed: ParsedWebhook;
  readonly #contentType: string | undefined;
  #format: PayloadFormat | undefined;
  #payload: { value: unknown } | undefined;

  constructor(facts: VerifiedFacts) {
    this.scheme = facts.scheme.name;
    this.endpoint = facts.endpoint;
    this.tenant = facts.tenant;
    this.deliveryKey = facts.deliveryKey;
    this.rawBody = facts.rawBody;
    this.#source = facts.scheme;
    this.#parsed = facts.parsed;
    this.#contentType = facts.contentType;
  }

  /** Headers first; else the verified body, for schemes that keep the id there. */
  get id(): string | undefined {
    return this.#parsed.id ?? this.#source.eventId?.(this.#parsed, this.rawBody);
  }

  /**
   * Headers first; else the verified body's `type` (Standard Webhooks, Stripe put it there) or the
   * scheme's `eventType` field, from a JSON body only: read as a form (the content type is not
   * signed), JSON bytes could yield any field.
   */
  get type(): string | undefined {
    if (this.#parsed.type !== undefined) return this.#parsed.type;
    if (!this.#bodyFormat().startsWith('json')) return undefined;
    return this.#source.eventType ? this.#source.eventType(this.payload) : typeFromPayload(this.payload);
  }

  get timestamp(): Date | undefined {
    return this.#parsed.timestamp === undefined ? undefined : new Date(this.#parsed.timestamp);
  }

  /** From a header, as the scheme's `signs` says; from the body, when the scheme signs the body. */
  get signed(): Required<SignedFields> {
    const signs = this.#source.signs;
    const parsed = this.#parsed;
    const body = signs.body !== false;
    return {
      id: parsed.id === undefined ? body && this.id !== undefined : signs.id,
      type: parsed.type === undefined ? body && this.type !== undefined : signs.type,
      timestamp: parsed.timestamp !== undefined && signs.timestamp,
      body,
    };
  }

  /** Parsed from the verified bytes on first use only. */
  get payload(): unknown {
    this.#payload ??= { value: parsePayload(this.rawBody, this.#bodyFormat()) };
    return this.#payload.value;
  }

  /** Read from the content type once, for the payload and the type. */
  #bodyFormat(): PayloadFormat {
    return (this.#format ??= payloadFormat(this.#contentType, this.#source));
  }

  /** Plain data for logs and JSON: the fields' values, without the raw bytes. */
  toJSON() {
    return {
      id: this.id,
      type: this.type,
      timestamp: this.timestamp,
      scheme: this.scheme,
      endpoint: this.endpoint,
      tenant: this.tenant,
      payload: this.payload,
    };
  }
}

function typeFromPayload(payload: unknown): string | undefined {
  const type =
    typeof payload === 'object' && payload !== null ? (payload as { type?: unknown }).type : undefined;
  return typeof type === 'string' ? type : undefined;
}
