export * from './replay-store.health.js';
