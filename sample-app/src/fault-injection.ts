import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';

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
    return currentFault.run(fault, () => next.handle());
  }
}

/**
 * Called from the handler's business logic, so the fault happens while the delivery's claim is
 * held: waits for `slow:<ms>`, throws for `throw`.
 */
export async function applyInjectedFault(): Promise<void> {
  const fault = currentFault.getStore() ?? '';
  const slow = /^slow:(\d{1,6})$/.exec(fault);
  if (slow) await new Promise((resolve) => setTimeout(resolve, Number(slow[1])));
  if (fault === 'throw') throw new Error('Injected fault (x-sample-fault: throw)');
}
