/**
 * Group commit: calls made while a transaction is running wait and then go together in the next one. A worker
 * finishing many tasks at once pays for one transaction (one `UNWIND`) instead of one per task, which is most of the
 * cost on Neo4j; a lone call still goes at once.
 *
 * Two items with the same key never share a batch, because within one Cypher statement a row does not reliably see
 * what an earlier row of the same statement wrote.
 */
export function groupCommit<Item, Result>(
  runBatch: (items: readonly Item[]) => Promise<readonly Result[]>,
  options: { readonly maxBatch: number; readonly key: (item: Item) => string },
): (item: Item) => Promise<Result> {
  interface Waiting {
    readonly item: Item;
    readonly resolve: (result: Result) => void;
    readonly reject: (error: unknown) => void;
  }
  let waiting: Waiting[] = [];
  let running = false;

  const takeBatch = (): Waiting[] => {
    const keys = new Set<string>();
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    for (const entry of waiting) {
      const key = options.key(entry.item);
      if (batch.length < options.maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(entry);
      } else {
        rest.push(entry);
      }
    }
    waiting = rest;
    return batch;
  };

  const drain = async (): Promise<void> => {
    running = true;
    while (waiting.length > 0) {
      const batch = takeBatch();
      try {
        const results = await runBatch(batch.map((entry) => entry.item));
        batch.forEach((entry, index) => entry.resolve(results[index] as Result));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    running = false;
  };

  return (item) =>
    new Promise<Result>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      // A microtask's delay gathers the calls a caller makes in one go (`Promise.all(tasks.map(complete))`).
      if (!running) {
        running = true;
        queueMicrotask(() => void drain());
      }
    });
}
