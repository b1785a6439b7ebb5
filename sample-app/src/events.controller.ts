import { Controller, Get } from '@nestjs/common';
import { EventsService } from './events.service.js';
import type { ProcessedEvent } from './events.service.js';

@Controller('events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  /** The deliveries the webhook controllers actually processed, oldest first. */
  @Get()
  list(): readonly ProcessedEvent[] {
    return this.events.list();
  }
}
