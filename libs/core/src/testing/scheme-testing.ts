import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import { MemoryReplayStore } from '../replay/memory-replay.store.js';
import type { AnyWebhookScheme, SignInput } from '../schemes/webhook-scheme.interface.js';
import type { VerifiedWebhookEvent } from '../verify/verified-webhook-event.interface.js';
import type { VerifiedEventOf } from '../verify/verified-event-of.js';
import type { VerificationOutcome, WebhookRequest } from '../verify/webhook-verifier.js';
import { WebhookVerifier } from '../verify/webhook-verifier.js';

/**
 * A test kit for schemes, ours and yours: verify a request at a fixed clock, read a refusal's
 * reason, check that a replay is caught. Every negative test should assert the exact reason.
 */

export type TestHeaders = Record<string, string | string[]>;

/** A request as tests write it: the body may be a string. */
export type TestRequest = Omit<Partial<WebhookRequest>, 'rawBody'> & { rawBody: Buffer | string };

/** What a refusal reads as (see `reasonOf`), or `accepted`. */
async function refusalOf(
  promise: Promise<unknown>,
  describe: (error: WebhookVerificationError) => string,
): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return describe(error);
    throw error;
  }
  return 'accepted';
}

/** The refusal reason, or `accepted`: every negative test asserts the exact reason. */
export const reasonOf = (promise: Promise<unknown>): Promise<string> =>
  refusalOf(promise, (error) => error.reason);

/** The refusal reason and HTTP status as `reason/status`, or `accepted`. */
export const reasonAndStatusOf = (promise: Promise<unknown>): Promise<string> =>
  refusalOf(promise, (error) => `${error.reason}/${error.status}`);

/** The verified event of an outcome; fails the test on a handshake. */
export function eventOf(outcome: VerificationOutcome): VerifiedWebhookEvent {
  if (outcome.kind === 'handshake') throw new Error('expected a delivery, got a handshake');
  return outcome.event;
}

/** The answer to a handshake; fails the test on anything else. */
export function replyOf(outcome: VerificationOutcome) {
  if (outcome.kind !== 'handshake') throw new Error(`expected a handshake, got ${outcome.kind}`);
  return outcome.reply;
}

export interface VerifyOptions {
  readonly secrets: string | Buffer | readonly (string | Buffer)[];
  /** Clock in ms; default now. */
  readonly now?: number;
  readonly toleranceMs?: number;
}

const toRequest = (request: TestRequest): WebhookRequest => ({
  headers: {},
  ...request,
  rawBody: Buffer.isBuffer(request.rawBody) ? request.rawBody : Buffer.from(request.rawBody),
});

const secretsOf = (options: VerifyOptions) =>
  (Array.isArray(options.secrets) ? options.secrets : [options.secrets]).map((value) => ({
    value: value as string | Buffer,
  }));

/** Verifies one request without replay protection, at a fixed clock. */
export function verifyWith(
  scheme: AnyWebhookScheme,
  request: TestRequest,
  options: VerifyOptions,
): Promise<VerificationOutcome> {
  const now = options.now ?? Date.now();
  const verifier = new WebhookVerifier({
    scheme,
    secrets: secretsOf(options),
    replayStore: false,
    clock: () => now,
    ...(options.toleranceMs === undefined ? {} : { toleranceMs: options.toleranceMs }),
  });
  return verifier.receive(toRequest(request));
}

export interface DeliveryOptions extends VerifyOptions {
  readonly request?: Partial<WebhookRequest>;
}

/** Verifies one delivery (headers and body, plus any other request fields) without replay protection. */
export const deliver = (
  scheme: AnyWebhookScheme,
  headers: TestHeaders,
  body: string | Buffer,
  options: DeliveryOptions,
): Promise<VerificationOutcome> =>
  verifyWith(scheme, { headers, rawBody: body, ...options.request }, options);

/**
 * Sends the first request through a replay-protected verifier (store and verifier on the same
 * clock), completes its claim, then sends the second. Returns both outcome kinds; the second is
 * `not attempted` when the first was not new.
 */
async function deliverTwice(
  scheme: AnyWebhookScheme,
  first: TestRequest,
  second: TestRequest,
  options: VerifyOptions,
): Promise<[string, string]> {
  const now = options.now ?? Date.now();
  const store = new MemoryReplayStore({ now: () => now });
  const verifier = new WebhookVerifier({
    scheme,
    secrets: secretsOf(options),
    replayStore: store,
    clock: () => now,
  });
  try {
    const outcome = await verifier.receive(toRequest(first));
    if (outcome.kind !== 'new') return [outcome.kind, 'not attempted'];
    await outcome.claim?.complete();
    return [outcome.kind, (await verifier.receive(toRequest(second))).kind];
  } finally {
    await store.close();
  }
}

/**
 * Runs a delivery, completes its claim, then sends the same body and signature again with the
 * given header overrides (a fresh delivery id). Returns both outcomes' kinds.
 */
export const replayWithFreshHeaders = (
  scheme: AnyWebhookScheme,
  headers: TestHeaders,
  body: string,
  secret: string,
  overrides: TestHeaders,
  now = Date.now(),
): Promise<[string, string]> =>
  deliverTwice(
    scheme,
    { headers, rawBody: body },
    { headers: { ...headers, ...overrides }, rawBody: body },
    { secrets: secret, now },
  );

/**
 * Sends the first request, completes its claim, then sends the second: returns the second's
 * outcome kind (`duplicate` when the replay was caught). Fails the test when the first is not new.
 */
export async function secondDeliveryKind(
  scheme: AnyWebhookScheme,
  first: TestRequest,
  second: TestRequest,
  options: VerifyOptions,
): Promise<string> {
  const [firstKind, secondKind] = await deliverTwice(scheme, first, second, options);
  if (firstKind !== 'new') throw new Error(`first delivery was ${firstKind}`);
  return secondKind;
}

/**
 * A verified event as a handler receives it, from a delivery the scheme signs: for running handlers
 * without HTTP (`dispatcher.dispatch(event)`, or `WebhookHandlers.dispatch(event)` in a Nest test).
 */
export async function verifiedEvent<Scheme extends AnyWebhookScheme>(
  scheme: Scheme,
  input: SignInput & { readonly endpoint?: string; readonly tenant?: string },
): Promise<VerifiedEventOf<Scheme>> {
  const headers = scheme.sign(input);
  const verifier = new WebhookVerifier({
    scheme,
    secrets: { value: input.secret },
    endpoint: input.endpoint,
    replayStore: false,
  });
  const body = Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body);
  const event = eventOf(
    await verifier.receive({ headers, rawBody: body, tenant: input.tenant, url: input.url }),
  );
  // The scheme's parse typed the id as it guarantees it (see VerifiedEventOf); the event's id is that one.
  return event as VerifiedEventOf<Scheme>;
}
