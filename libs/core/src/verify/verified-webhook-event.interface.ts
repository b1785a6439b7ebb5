import type { SignedFields } from '../schemes/webhook-scheme.interface.js';

/**
 * A delivery that passed every check, as handed to your handler. `Id` is `string` for a scheme that
 * refuses a delivery without one (Standard Webhooks and its family): see `VerifiedEventOf`.
 */
export interface VerifiedWebhookEvent<Payload = unknown, Id extends string | undefined = string | undefined> {
  /** The delivery id, when the scheme sends one (see `signed.id`). */
  readonly id: Id;
  /** The event type, from a header or else the body's `type`, when there is one (see `signed.type`). */
  readonly type: string | undefined;
  /** The sender's signed timestamp, when the scheme sends one. */
  readonly timestamp: Date | undefined;
  readonly scheme: string;
  readonly endpoint: string;
  /** The tenant as the secret resolver named it (see `TenantSecrets`), else the route's tenant parameter. */
  readonly tenant: string | undefined;
  /**
   * The delivery's key, from signed material (the signed id, else a digest of the signed content),
   * namespaced by endpoint and tenant: the same on every retry of this delivery. The replay claim
   * uses it; so do handlers' idempotency keys.
   */
  readonly deliveryKey: string;
  /** The exact bytes that were verified. */
  readonly rawBody: Buffer;
  /** The body parsed from the verified bytes (JSON, form or text by content type), on first use. */
  readonly payload: Payload;
  /**
   * Which of `id`, `type`, `timestamp` and the body the signature covers for this delivery; false
   * when the value came from a header the sender does not sign (GitHub's `X-GitHub-Event`, Shopify's
   * `X-Shopify-Topic`), from a body the scheme does not sign (Mailgun, GitLab, Okta), or is absent.
   * Whoever replays a signed delivery can change what is not signed: do not let it decide anything
   * that matters without checking this.
   */
  readonly signed: Required<SignedFields>;
}
