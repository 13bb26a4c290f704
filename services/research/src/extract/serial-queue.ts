/** Runs the tasks given to it one after another, in order; a failed task does not stop the ones behind it. */
export function createSerialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return function runInTurn<T>(task: () => Promise<T>): Promise<T> {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}
