import { Inject, Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { ReplayStore as ReplayStoreContract } from '@verified-webhooks/core';
import { ReplayStore } from '../webhooks.tokens.js';

/**
 * A `@nestjs/terminus` health indicator for the replay store (`store.ping()`). Imported from
 * `@verified-webhooks/nestjs/terminus` only, so terminus stays an optional peer dependency:
 *
 *     @Get('health') @HealthCheck()
 *     check() { return this.health.check([() => this.replayStore.isHealthy()]); }
 *
 * Down while the store is unreachable (deliveries are then answered 503); up for a store without
 * `ping()` (the in-memory one) and when replay protection is off.
 */
@Injectable()
export class ReplayStoreHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(ReplayStore) private readonly store: ReplayStoreContract | false,
  ) {}

  async isHealthy<const Key extends string = 'replayStore'>(
    key: Key = 'replayStore' as Key,
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    if (!this.store) return indicator.up({ replay: 'off' });
    try {
      await this.store.ping?.();
      return indicator.up();
    } catch (error) {
      // The store's own message (e.g. a timeout) helps operators; it never holds a secret.
      return indicator.down({ message: error instanceof Error ? error.message : 'unreachable' });
    }
  }
}
