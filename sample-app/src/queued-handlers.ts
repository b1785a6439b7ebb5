import { Inject, Injectable } from '@nestjs/common';
import type { VerifiedWebhookEvent, WebhookHandlerContext } from '@verified-webhooks/core';
import { NonRetryableWebhookError } from '@verified-webhooks/core';
import { OnWebhookEvent } from '@verified-webhooks/nestjs';
import { EventsService } from './events.service.js';
import type { SampleConfig } from './sample-config.js';

export const SAMPLE_CONFIG = Symbol('SampleConfig');

/** The test aid's fields in a verified payload (only with SAMPLE_FAULTS=1). */
interface SampleFaults {
  /** Fail the first n attempts (retryable), or every one (`permanent`, not retryable). */
  readonly sampleFail?: number | 'permanent';
  /** Sleep this long first. */
  readonly sampleSlowMs?: number;
}

/**
 * The durable route's handler (POST /webhooks/queued/standard): runs in the worker, with retries.
 * With SAMPLE_FAULTS=1 the payload can ask it to fail or to be slow, counted across retries (dead
 * letter retries included), for the reliability suite.
 */
@Injectable()
export class QueuedHandlers {
  private readonly failedAttempts = new Map<string, number>();

  constructor(
    private readonly events: EventsService,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  @OnWebhookEvent('queued-standard', '*')
  async record(event: VerifiedWebhookEvent<SampleFaults>, context: WebhookHandlerContext) {
    if (this.config.faults) await this.applyFaults(event, context);
    await this.events.record(event, { via: 'queue', attempts: context.attempt });
  }

  private async applyFaults(event: VerifiedWebhookEvent<SampleFaults>, context: WebhookHandlerContext) {
    const { sampleFail, sampleSlowMs }: SampleFaults =
      typeof event.payload === 'object' && event.payload !== null ? event.payload : {};
    if (typeof sampleSlowMs === 'number' && sampleSlowMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(sampleSlowMs, 60_000)));
    }
    if (sampleFail === 'permanent') throw new NonRetryableWebhookError('sampleFail: permanent');
    if (typeof sampleFail === 'number') {
      const failed = this.failedAttempts.get(context.idempotencyKey) ?? 0;
      if (failed < sampleFail) {
        this.failedAttempts.set(context.idempotencyKey, failed + 1);
        throw new Error(`sampleFail: attempt ${failed + 1} of ${sampleFail} fails`);
      }
    }
  }
}
