import type { OnModuleInit } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ReplayStore as ReplayStoreContract } from '@verified-webhooks/core';
import type { WebhooksModuleOptions } from './webhooks-options.interface.js';
import { WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition.js';
import { ReplayStore } from './webhooks.tokens.js';

/**
 * At boot: pings a store that can be pinged (Redis). Unreachable is a warning (every delivery would
 * be refused with 503 until it answers), or a boot error with `requireStoreAtBoot`. The ping is
 * bounded by the store's own command deadline.
 */
@Injectable()
export class ReplayStoreBootCheck implements OnModuleInit {
  private readonly logger = new Logger('VerifiedWebhook');

  constructor(
    @Inject(ReplayStore) private readonly store: ReplayStoreContract | false,
    @Inject(WEBHOOKS_MODULE_OPTIONS) private readonly options: WebhooksModuleOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.store || !this.store.ping) return;
    try {
      await this.store.ping();
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      const problem = `the replay store (${this.store.constructor.name}) cannot be reached at boot: ${why}`;
      if (this.options.requireStoreAtBoot) {
        throw new Error(`verified-webhooks: ${problem}`, { cause: error });
      }
      this.logger.warn(
        `${problem}. Deliveries are refused with 503 until it answers; set requireStoreAtBoot: true to refuse to start instead.`,
      );
    }
  }
}
