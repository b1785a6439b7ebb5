/** A delivery that passed every check, as handed to your handler. */
export interface VerifiedWebhook<Payload = unknown> {
  /** The delivery id, when the scheme sends one. */
  readonly id: string | undefined;
  /** The event type from headers, when the scheme sends one. */
  readonly type: string | undefined;
  /** The sender's signed timestamp, when the scheme sends one. */
  readonly timestamp: Date | undefined;
  readonly scheme: string;
  readonly endpoint: string;
  readonly tenant: string | undefined;
  /** The exact bytes that were verified. */
  readonly rawBody: Buffer;
  /** The body parsed from the verified bytes (JSON, form or text by content type), on first use. */
  readonly payload: Payload;
}
