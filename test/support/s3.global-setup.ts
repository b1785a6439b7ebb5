import type { TestProject } from 'vitest/node';
import { S3Server } from './s3-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string;
  }
}

/** One S3-API server (s3rver) for the whole run, on loopback on a free port; stopped afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await S3Server.start();
  project.provide('s3Endpoint', server.endpoint);
  return () => server.dispose();
}
