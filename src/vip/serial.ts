// One kernel-table operation at a time: each compares a dump with its wishes, which an
// interleaved one would spoil. Each operation opens its own table handle and closes it after,
// whether it succeeded or not; a failed operation does not stop the ones queued behind it.

/** A kernel table handle that must be closed. */
export interface Closable {
  close(): void;
}

/** Runs operations on a fresh table from `open`, one after the other. */
export function serializedTables<T extends Closable>(open: () => T): <R>(operation: (table: T) => Promise<R>) => Promise<R> {
  let queue: Promise<unknown> = Promise.resolve();
  return <R>(operation: (table: T) => Promise<R>): Promise<R> => {
    const run = queue.then(async () => {
      const table = open();
      try {
        return await operation(table);
      } finally {
        table.close();
      }
    });
    queue = run.catch(() => undefined);
    return run;
  };
}
