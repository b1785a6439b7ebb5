import { Controller, Get, Header } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { WebhookMetrics } from '@verified-webhooks/nestjs';
import { ReplayStoreHealthIndicator } from '@verified-webhooks/nestjs/terminus';

/** Operations endpoints: Prometheus metrics and a health check of the replay store. */
@Controller()
export class OpsController {
  constructor(
    private readonly metrics: WebhookMetrics,
    private readonly health: HealthCheckService,
    private readonly replayStore: ReplayStoreHealthIndicator,
  ) {}

  /** `webhook_deliveries_total{scheme,endpoint,outcome}`, `webhook_verification_seconds{scheme}`. */
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return (await this.metrics.registry?.metrics()) ?? '';
  }

  /** 200 while the replay store answers; 503 while it is unreachable (deliveries get 503 too). */
  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.replayStore.isHealthy()]);
  }
}
