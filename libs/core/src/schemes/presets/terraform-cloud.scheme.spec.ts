import { createHmac } from 'node:crypto';
import { eventNamesOf } from '../../handlers/webhook-dispatcher.js';
import { deliver, eventOf, reasonOf, secondDeliveryKind } from '../../testing/scheme-testing.js';
import { terraformCloud } from './terraform-cloud.scheme.js';

// go-tfe and the Terraform CLI ship no receiver-side verifier. SECONDARY: the sender is written
// independently from HashiCorp's documented formula (developer.hashicorp.com/terraform/cloud-docs/
// api-docs/notification-configurations, "Notification authenticity"):
//   X-TFE-Notification-Signature = hex HMAC-SHA512(notification token, raw body)
const TOKEN = 'tfe-notification-token-0123456789';
const OLD_TOKEN = 'tfe-previous-token-9876543210';
const body = (trigger = 'run:completed', runId = 'run-FwnENkvDnrpyFC7M') =>
  JSON.stringify({
    payload_version: 1,
    notification_configuration_id: 'nc-AeUQ2zfKZzW9TiGZ',
    run_url: `https://app.terraform.io/app/acme/my-workspace/runs/${runId}`,
    run_id: runId,
    workspace_name: 'my-workspace',
    organization_name: 'acme',
    notifications: [
      { message: 'Run Applied', trigger, run_status: 'applied', run_updated_at: '2026-11-30T10:00:00.000Z' },
    ],
  });
const BODY = body();
const tfeSender = (token: string, raw: string) => ({
  'x-tfe-notification-signature': createHmac('sha512', token).update(raw).digest('hex'),
  'content-type': 'application/json',
});
const verify = (headers: Record<string, string>, raw = BODY, secrets: string | string[] = TOKEN) =>
  reasonOf(deliver(terraformCloud(), headers, raw, { secrets }));

describe('terraformCloud()', () => {
  it('accepts a delivery signed per the documented formula (HMAC-SHA512), and signs the same value', async () => {
    const headers = tfeSender(TOKEN, BODY);
    expect(terraformCloud().sign({ secret: TOKEN, body: BODY })['x-tfe-notification-signature']).toBe(
      headers['x-tfe-notification-signature'],
    );
    const event = eventOf(await deliver(terraformCloud(), headers, BODY, { secrets: TOKEN }));
    expect(eventNamesOf(terraformCloud(), event)).toEqual(['run:completed']);
  });

  it('refuses a tampered body, the wrong token, and a SHA-256 signature', async () => {
    expect(await verify(tfeSender(TOKEN, BODY), body('run:errored'))).toBe('signature_mismatch');
    expect(await verify(tfeSender(OLD_TOKEN, BODY))).toBe('signature_mismatch');
    const sha256 = createHmac('sha256', TOKEN).update(BODY).digest('hex');
    expect(await verify({ 'x-tfe-notification-signature': sha256 })).toBe('malformed_signature');
  });

  it('has no timestamp to check, and accepts the old or the new token (rotation)', async () => {
    expect(terraformCloud().defaultToleranceMs).toBeUndefined();
    expect(await verify(tfeSender(OLD_TOKEN, BODY), BODY, [TOKEN, OLD_TOKEN])).toBe('accepted');
    expect(await verify(tfeSender(TOKEN, BODY), BODY, [TOKEN, OLD_TOKEN])).toBe('accepted');
  });

  it('refuses a replayed notification (keyed on the signed body), but not the next one', async () => {
    const first = { headers: tfeSender(TOKEN, BODY), rawBody: BODY };
    expect(await secondDeliveryKind(terraformCloud(), first, first, { secrets: TOKEN })).toBe('duplicate');
    const next = body('run:completed', 'run-Other');
    expect(
      await secondDeliveryKind(
        terraformCloud(),
        first,
        { headers: tfeSender(TOKEN, next), rawBody: next },
        { secrets: TOKEN },
      ),
    ).toBe('new');
  });
});
