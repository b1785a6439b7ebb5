import { Injectable } from '@nestjs/common';
import type { VerifiedWebhookEvent } from '@verified-webhooks/core';
import { applyInjectedFault } from './fault-injection.js';

/** A delivery a controller processed, as `GET /events` lists it. */
export interface ProcessedEvent {
  readonly provider: string;
  readonly endpoint: string;
  readonly id: string | undefined;
  readonly type: string | undefined;
  readonly receivedAt: string;
  /** `inline`: in the request; `queue`: by the worker of a durable route. */
  readonly via: 'inline' | 'queue';
  /** The attempt that succeeded. */
  readonly attempts: number;
}

/** Stands in for your business logic: remembers what was processed, oldest first. */
@Injectable()
export class EventsService {
  private readonly events: ProcessedEvent[] = [];

  async record(
    event: VerifiedWebhookEvent,
    how: { readonly via: 'inline' | 'queue'; readonly attempts: number } = { via: 'inline', attempts: 1 },
  ): Promise<ProcessedEvent> {
    await applyInjectedFault(); // a no-op unless the reliability suite runs the app with SAMPLE_FAULTS=1
    const processed: ProcessedEvent = {
      provider: event.scheme,
      endpoint: event.tenant === undefined ? event.endpoint : `${event.endpoint}/${event.tenant}`,
      id: event.id,
      type: event.type,
      receivedAt: new Date().toISOString(),
      ...how,
    };
    this.events.push(processed);
    return processed;
  }

  list(): readonly ProcessedEvent[] {
    return this.events;
  }
}
