// Transitional: the kit lives in @verified-webhooks/core/testing.
export * from '../../libs/core/src/testing/scheme-testing.js';
export type { TestHeaders as Headers } from '../../libs/core/src/testing/scheme-testing.js';
