import { readFileSync } from 'node:fs';
import { createApp } from '../../sample-app/src/create-app.js';

describe('the sample app’s operator surface', () => {
  it('says at startup that GET /events, GET /dead-letters and GET /metrics are demonstration endpoints', async () => {
    const warnings: string[] = [];
    const logger = {
      log: () => undefined,
      error: () => undefined,
      warn: (message: unknown) => void warnings.push(String(message)),
    };
    const { app } = await createApp({ NODE_ENV: 'test' }, logger);
    await app.close();
    expect(
      warnings.filter((line) =>
        /^Demonstration endpoints GET \/events, GET \/dead-letters and GET \/metrics are public .*protect them in a real app/.test(
          line,
        ),
      ),
    ).toHaveLength(1);
  });

  it('is marked in its code and the README shows how to protect it', () => {
    for (const file of ['sample-app/src/events.controller.ts', 'sample-app/src/ops.controller.ts']) {
      expect(readFileSync(file, 'utf8')).toContain('DEMONSTRATION ENDPOINTS');
    }
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('### Protecting the operator surface');
  });
});
