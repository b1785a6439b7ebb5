import { Controller, Get, Header } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { WebhookMetrics } from '@verified-webhooks/nestjs';
import { ReplayStoreHealthIndicator, WebhookQueueHealthIndicator } from '@verified-webhooks/nestjs/terminus';

/**
 * Operations endpoints: Prometheus metrics and a health check of the replay store and the queue.
 *
 * DEMONSTRATION ENDPOINTS: public here so `curl` shows them. They list endpoint names, queue depths
 * and paused endpoints; in a real app serve them behind an admin guard, on an internal port, or
 * where a network policy lets only the scraper and the orchestrator in (README, "Operating durable
 * routes": protecting the operator surface).
 */
@Controller()
export class OpsController {
  constructor(
    private readonly metrics: WebhookMetrics,
    private readonly health: HealthCheckService,
    private readonly replayStore: ReplayStoreHealthIndicator,
    private readonly queue: WebhookQueueHealthIndicator,
  ) {}

  /** Deliveries and verification time, and the durable queue (depth, paused, oldest job, job runs). */
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return (await this.metrics.registry?.metrics()) ?? '';
  }

  /** 200 while the replay store and the queue answer; 503 while either is unreachable (deliveries get 503 too). */
  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.replayStore.isHealthy(), () => this.queue.isHealthy()]);
  }
}
