/** `work`, or a rejection with `timeoutError()` once `ms` have passed (the timer is cleared either way). */
export function withDeadline<T>(
  ms: number,
  work: Promise<T>,
  timeoutError: () => Error = () => new Error(`no answer within ${ms} ms`),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
