/**
 * A start-up failure the operator can act on (a dependency that never answered, a port in use): its message
 * is the whole story, printed as one line without a stack.
 */
export class StartupError extends Error {
  readonly code = 'startup_failed';
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/**
 * A dependency that answers but cannot serve Pressroom (a version too old): waiting longer will not help, so
 * start-up stops at once. Its message completes "<name> at <url> ...".
 */
export class IncompatibleDependencyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompatibleDependencyError';
  }
}
