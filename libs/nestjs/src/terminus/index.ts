export { ReplayStoreHealthIndicator } from './replay-store.health.js';
