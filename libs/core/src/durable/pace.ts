/** Runs `task` for each item in order, at most `ratePerSecond` a second (no cap when undefined). */
export async function paced<T>(
  items: readonly T[],
  ratePerSecond: number | undefined,
  task: (item: T) => Promise<void> | void,
): Promise<void> {
  const gapMs = ratePerSecond && ratePerSecond > 0 ? 1_000 / ratePerSecond : 0;
  const start = Date.now();
  for (const [index, item] of items.entries()) {
    const due = start + index * gapMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await task(item);
  }
}
