import type { OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import type { VerifiedWebhookEvent, WebhookHandlerContext } from '@verified-webhooks/core';
import { NonRetryableWebhookError } from '@verified-webhooks/core';
import { OnWebhookEvent } from '@verified-webhooks/nestjs';
import { EventsService } from './events.service.js';
import type { SampleConfig } from './sample-config.js';

export const SAMPLE_CONFIG = Symbol('SampleConfig');
export const FAULT_COUNTER = Symbol('FaultCounter');

/** Counts a job's injected failures: in Redis when the sample has one, so every instance sees the same count. */
export interface FaultCounter {
  /** The count after this failure. */
  increment(key: string): Promise<number>;
  current(key: string): Promise<number>;
  /**
   * Counts a completed run of a delivery's handler, by delivery id, where every instance (and the
   * test reading it after an instance exited) sees it. Only the Redis counter keeps one.
   */
  completed?(deliveryId: string): Promise<void>;
  close?(): Promise<void>;
}

export function memoryFaultCounter(): FaultCounter {
  const counts = new Map<string, number>();
  return {
    increment: (key) => Promise.resolve(counts.set(key, (counts.get(key) ?? 0) + 1).get(key)!),
    current: (key) => Promise.resolve(counts.get(key) ?? 0),
  };
}

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
 * letter retries included) and, with Redis, across instances, for the reliability suite.
 */
@Injectable()
export class QueuedHandlers implements OnApplicationShutdown {
  constructor(
    private readonly events: EventsService,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
    @Inject(FAULT_COUNTER) private readonly failures: FaultCounter,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.failures.close?.();
  }

  @OnWebhookEvent('queued-standard', '*')
  async record(event: VerifiedWebhookEvent<SampleFaults>, context: WebhookHandlerContext) {
    if (this.config.faults) await this.applyFaults(event, context);
    await this.events.record(event, { via: 'queue', attempts: context.attempt });
    if (this.config.faults && event.id) await this.failures.completed?.(event.id);
  }

  private async applyFaults(event: VerifiedWebhookEvent<SampleFaults>, context: WebhookHandlerContext) {
    const { sampleFail, sampleSlowMs }: SampleFaults =
      typeof event.payload === 'object' && event.payload !== null ? event.payload : {};
    if (typeof sampleSlowMs === 'number' && sampleSlowMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(sampleSlowMs, 60_000)));
    }
    if (sampleFail === 'permanent') throw new NonRetryableWebhookError('sampleFail: permanent');
    if (
      typeof sampleFail === 'number' &&
      (await this.failures.current(context.idempotencyKey)) < sampleFail
    ) {
      const failed = await this.failures.increment(context.idempotencyKey);
      throw new Error(`sampleFail: failure ${failed} of ${sampleFail}`);
    }
  }
}
