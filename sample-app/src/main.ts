import { Logger } from '@nestjs/common';
import { createApp } from './create-app.js';

const { app, config } = await createApp();
await app.listen(config.port, '0.0.0.0');
new Logger('SampleApp').log(`Listening on http://localhost:${config.port} (POST /webhooks/*, GET /events)`);
