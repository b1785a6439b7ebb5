import { signedContentReplayId } from '../../replay/replay-key.js';
import { hmac } from '../hmac.scheme.js';
import { toUnixSeconds } from '../timestamp.js';
import type { ParsedWebhook, WebhookScheme } from '../webhook-scheme.interface.js';

/** `v0` HMACs: Slack and Zoom (`v0=<hex HMAC-SHA256 of v0:{timestamp}:{body}>`, Unix-seconds header). */

export interface V0HmacConfig {
  readonly name: string;
  readonly signatureHeader: string;
  readonly timestampHeader: string;
  readonly toleranceMs: number;
}

/** A digest of the signed Unix-seconds timestamp and body: the `v0` replay key without a body id. */
export const v0ReplayId = (parsed: ParsedWebhook, rawBody: Buffer): string =>
  signedContentReplayId(String(toUnixSeconds(parsed.timestamp ?? 0)), rawBody);

/** The `v0` HMAC, keyed for replays by `v0ReplayId`. */
export function v0Hmac(config: V0HmacConfig): WebhookScheme<Buffer> {
  return {
    ...hmac({ ...config, prefix: 'v0=', signedContent: 'v0:{timestamp}:{body}' }),
    replayId: v0ReplayId,
  };
}
