import type { SignInput } from '../webhook-scheme.interface.js';

/** The default Content-Type a scheme's `sign()` reports. */
export const JSON_CONTENT_TYPE = 'application/json';

/** The signing time of a SignInput in ms; defaults to now. */
export const signTime = (input: SignInput): number =>
  input.timestamp === undefined
    ? Date.now()
    : typeof input.timestamp === 'number'
      ? input.timestamp
      : input.timestamp.getTime();

/** A delivery id for `sign()` when the caller gives none: unique enough for tests, not secret. */
export const randomId = (prefix = ''): string =>
  `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
