/** A mistake in the command line or its inputs: reported as one line, exit code 2. */
export class UsageError extends Error {}
