import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { from, mergeMap } from 'rxjs';

/**
 * TEST AID ONLY. Fault injection for the reliability suite (test/reliability), installed by
 * create-app.ts only when the environment says `SAMPLE_FAULTS=1`; otherwise none of this runs.
 * A request header `x-sample-fault` then asks the handler to misbehave while it holds the claim:
 *   - `throw`      the handler throws (the claim must be released so the retry is processed);
 *   - `slow:<ms>`  the handler waits first (a crash test kills the process meanwhile).
 * Never enable it in a real deployment: any sender could make your handler fail.
 */
export const FAULT_HEADER = 'x-sample-fault';

const currentFault = new AsyncLocalStorage<string>();

export class FaultInjectionInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers[
      FAULT_HEADER
    ];
    const fault = typeof header === 'string' ? header : '';
    const slow = /^slow:(\d{1,6})$/.exec(fault);
    const delay = slow ? Number(slow[1]) : 0;
    return from(new Promise((resolve) => setTimeout(resolve, delay))).pipe(
      mergeMap(() => currentFault.run(fault, () => next.handle())),
    );
  }
}

/** Called from the handler's business logic: throws when the current request asked for `throw`. */
export function throwIfFaultInjected(): void {
  if (currentFault.getStore() === 'throw') throw new Error('Injected fault (x-sample-fault: throw)');
}
