export * from './verified-webhook.middleware.js';
