import { hmac } from '../hmac.scheme.js';
import { batchEventNames } from '../kit/body-event.js';
import type { WebhookScheme } from '../webhook-scheme.interface.js';

export interface TerraformCloudOptions {
  /** Scheme name for logs and the default endpoint. Default `terraform-cloud`. */
  name?: string;
}

/**
 * HCP Terraform (Terraform Cloud) and Terraform Enterprise generic notifications:
 * `X-TFE-Notification-Signature` = hex HMAC-SHA512(the notification configuration's token as
 * UTF-8, rawBody). No timestamp and no delivery id: replays are keyed on a digest of the body.
 * Handlers are dispatched on each `notifications[].trigger` (`run:completed`, ..., `verification`
 * for the test HCP Terraform sends when the configuration is saved).
 */
export function terraformCloud(options: TerraformCloudOptions = {}): WebhookScheme<Buffer> {
  return {
    ...hmac({
      name: options.name ?? 'terraform-cloud',
      signatureHeader: 'x-tfe-notification-signature',
      algorithm: 'sha512',
    }),
    payloadFormat: 'json',
    eventNames: batchEventNames(['notifications'], (notification) => notification.trigger),
  };
}
