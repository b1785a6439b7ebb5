import type { Context, Span, Tracer } from '@opentelemetry/api';

type OtelApi = typeof import('@opentelemetry/api');

/** Span attributes: endpoint, scheme, ids, attempt. Never a secret, a signature, a header or a body. */
export type WebhookSpanAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** The W3C trace context a queued delivery carries into its job. */
export interface TraceCarrier {
  readonly traceparent?: string | undefined;
  readonly tracestate?: string | undefined;
}

/**
 * One of our spans. Our own type, so that no declaration of this package names
 * `@opentelemetry/api` (an optional peer dependency): an app without it type-checks.
 */
export interface WebhookSpan {
  setAttributes(attributes: WebhookSpanAttributes): void;
  /** Ends the span; with an error, marks it failed by the error's class name only (a message may quote the body). */
  end(error?: unknown): void;
}

export type WebhookSpanKind = 'internal' | 'producer' | 'consumer';

/** The parent of a new span: the active context (undefined), one of our spans, or a stored trace context. */
export type WebhookSpanParent = WebhookSpan | TraceCarrier | undefined;

const NOOP_SPAN: WebhookSpan = { setAttributes: () => undefined, end: () => undefined };

// version 00: 2 hex (version) - 32 hex (trace id) - 16 hex (span id) - 2 hex (flags); https://www.w3.org/TR/trace-context/
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

class OtelSpan implements WebhookSpan {
  constructor(
    readonly span: Span,
    private readonly api: OtelApi,
  ) {}

  setAttributes(attributes: WebhookSpanAttributes): void {
    this.span.setAttributes(defined(attributes));
  }

  end(error?: unknown): void {
    if (error !== undefined) {
      const name = error instanceof Error ? error.name : typeof error;
      this.span.setAttribute('error.type', name);
      this.span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: name });
    }
    this.span.end();
  }
}

/**
 * Spans for one delivery's path (docs/architecture.md, "Observability"): `webhook.verify` in the
 * guard, `webhook.enqueue` in the interceptor, whose W3C trace context is stored with the job, then
 * `webhook.job` and `webhook.handler` in the worker, children of that context: one trace from the
 * request to the handler, across processes. `@opentelemetry/api` is an optional peer dependency,
 * loaded once at boot; without it, or without an SDK registered by the app, every call is a no-op.
 */
export class WebhookTracing {
  static readonly disabled = new WebhookTracing(undefined);
  readonly #api: OtelApi | undefined;
  readonly #tracer: Tracer | undefined;

  private constructor(api: OtelApi | undefined) {
    this.#api = api;
    this.#tracer = api?.trace.getTracer('@verified-webhooks/nestjs');
  }

  /** Loads `@opentelemetry/api` when it is installed; `enabled: false` turns tracing off. */
  static async create(enabled = true): Promise<WebhookTracing> {
    if (!enabled) return WebhookTracing.disabled;
    const api = await import('@opentelemetry/api').catch(() => undefined);
    return api ? new WebhookTracing(api) : WebhookTracing.disabled;
  }

  get enabled(): boolean {
    return this.#tracer !== undefined;
  }

  start(
    name: string,
    attributes: WebhookSpanAttributes,
    parent?: WebhookSpanParent,
    kind: WebhookSpanKind = 'internal',
  ): WebhookSpan {
    const api = this.#api;
    if (!api || !this.#tracer) return NOOP_SPAN;
    const span = this.#tracer.startSpan(
      name,
      { kind: SPAN_KINDS[kind](api), attributes: defined(attributes) },
      this.#context(parent),
    );
    return new OtelSpan(span, api);
  }

  /** Runs `work` with `span` active, so the app's own spans inside it (a database call) nest under it. */
  with<T>(span: WebhookSpan, work: () => T): T {
    const api = this.#api;
    if (!api || !(span instanceof OtelSpan)) return work();
    return api.context.with(api.trace.setSpan(api.context.active(), span.span), work);
  }

  /** The span's W3C trace context, to store with a queued delivery; empty when not sampled-in or off. */
  carrier(span: WebhookSpan): TraceCarrier {
    if (!(span instanceof OtelSpan) || !this.#api) return {};
    const context = span.span.spanContext();
    if (!this.#api.isSpanContextValid(context)) return {};
    const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
    const tracestate = context.traceState?.serialize();
    return {
      traceparent: `00-${context.traceId}-${context.spanId}-${flags}`,
      ...(tracestate ? { tracestate } : {}),
    };
  }

  #context(parent: WebhookSpanParent): Context {
    const api = this.#api!;
    const active = api.context.active();
    if (parent === undefined) return active;
    if (parent instanceof OtelSpan) return api.trace.setSpan(active, parent.span);
    if (parent === NOOP_SPAN || !('traceparent' in parent)) return active;
    const match = TRACEPARENT.exec(parent.traceparent ?? '');
    if (!match) return api.ROOT_CONTEXT;
    const spanContext = {
      traceId: match[1]!,
      spanId: match[2]!,
      traceFlags: Number.parseInt(match[3]!, 16),
      isRemote: true,
      ...(parent.tracestate ? { traceState: api.createTraceState(parent.tracestate) } : {}),
    };
    if (!api.isSpanContextValid(spanContext)) return api.ROOT_CONTEXT;
    // A job runs outside any request: its parent is the stored context, not whatever is active.
    return api.trace.setSpanContext(api.ROOT_CONTEXT, spanContext);
  }
}

const SPAN_KINDS: Record<WebhookSpanKind, (api: OtelApi) => number> = {
  internal: (api) => api.SpanKind.INTERNAL,
  producer: (api) => api.SpanKind.PRODUCER,
  consumer: (api) => api.SpanKind.CONSUMER,
};

function defined(attributes: WebhookSpanAttributes): Record<string, string | number | boolean> {
  const kept: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) kept[key] = value;
  return kept;
}
