import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { HealthIndicatorService } from '@nestjs/terminus';
import { WebhookQueueControl } from '../webhook-queue-control.service.js';

/** Longest a health check waits for the queue: an unreachable Redis is "down", not a hung probe. */
const HEALTH_DEADLINE_MS = 2_000;

/**
 * A `@nestjs/terminus` health indicator for the durable routes' queue: down while the queue does not
 * answer (deliveries to durable routes are then answered 503); up otherwise, with what an operator
 * wants at a glance: whether it is durable, the paused endpoints, and each endpoint's depth.
 *
 *     check() { return this.health.check([() => this.queue.isHealthy()]); }
 *
 * A paused endpoint is still up: it accepts and queues, by the operator's choice.
 */
@Injectable()
export class WebhookQueueHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly control: WebhookQueueControl,
  ) {}

  async isHealthy<const Key extends string = 'webhookQueue'>(
    key: Key = 'webhookQueue' as Key,
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    try {
      const stats = await bounded(this.control.ping().then(() => this.control.status()));
      const endpoints = Object.fromEntries(
        stats.map(({ endpoint, paused, waiting, active, delayed, deadLetters }) => [
          endpoint,
          { paused, waiting, active, delayed, deadLetters },
        ]),
      );
      return indicator.up({
        durable: this.control.durable,
        paused: stats.filter((entry) => entry.paused).map((entry) => entry.endpoint),
        endpoints,
      });
    } catch (error) {
      // The queue's own message (e.g. a timeout) helps operators; it never holds a secret.
      return indicator.down({ message: error instanceof Error ? error.message : 'unreachable' });
    }
  }
}

function bounded<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${HEALTH_DEADLINE_MS} ms`)),
      HEALTH_DEADLINE_MS,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
