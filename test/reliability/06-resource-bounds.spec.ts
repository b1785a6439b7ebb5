import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { RedisServer } from '../support/redis-server.js';
import { SampleProcess } from '../support/sample-process.js';
import {
  LeakWatch,
  pool,
  post,
  reportScenario,
  sampleEnv,
  secretOf,
  SOAK,
  standardDelivery,
  stopAll,
} from './reliability-kit.js';

const SECRET = secretOf(61);
const HMAC_SECRET = 'reliability-hmac-secret-resources-0123456789';
const MB = 1024 * 1024;
const HUGE = 50 * MB;
const FLOOD = SOAK ? 20_000 : 2_000;
const REQUEST_TIMEOUT_MS = 1_500;

/** Sends a POST of `size` bytes in 64 KiB chunks (Content-Length or chunked); resolves the status line. */
function sendHuge(port: number, size: number, chunked: boolean): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const finish = () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0));
    socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.write(
      'POST /webhooks/standard HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nconnection: close\r\n' +
        (chunked ? 'transfer-encoding: chunked\r\n\r\n' : `content-length: ${size}\r\n\r\n`),
    );
    const pump = () => {
      while (sent < size && !socket.destroyed) {
        const frame = chunked
          ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
          : chunk;
        sent += chunk.length;
        if (!socket.write(frame)) return void socket.once('drain', pump);
      }
      if (socket.destroyed) return;
      if (chunked) socket.end('0\r\n\r\n');
      else socket.end();
    };
    pump();
  });
}

/**
 * Records every command Redis runs (MONITOR) until `stop()`, except the sample's BullMQ queue's own
 * (its worker polls and checks for stalled jobs on a timer, on `{vw}` keys, whatever the requests do)
 * and connection housekeeping: what is left is what requests made the replay store do.
 */
async function recordStoreCommands(port: number) {
  const monitor = await new Redis(port, '127.0.0.1').monitor();
  const commands: string[] = [];
  monitor.on('monitor', (_time: string, argv: string[]) => {
    const [name = ''] = argv;
    if (HOUSEKEEPING.some((command) => name.toLowerCase().startsWith(command))) return;
    if (argv.some((arg) => arg.includes('{vw}:'))) return;
    commands.push(argv.slice(0, 2).join(' '));
  });
  return {
    commands,
    async stop() {
      await new Promise((resolve) => setTimeout(resolve, 200)); // the last replies' commands land
      monitor.disconnect();
      return commands;
    },
  };
}
const HOUSEKEEPING = ['info', 'ping', 'client', 'hello', 'command', 'select'];

describe('6. resource bounds: body limit, slow bodies, no store work for forgeries', () => {
  let redis: RedisServer;
  let app: SampleProcess;
  const watch = new LeakWatch();
  watch.watch(SECRET, HMAC_SECRET);

  beforeAll(async () => {
    redis = await RedisServer.start();
    app = await SampleProcess.start({
      REDIS_URL: redis.url,
      ...sampleEnv(SECRET, HMAC_SECRET, {
        WEBHOOK_BODY_LIMIT: String(MB),
        WEBHOOK_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      }),
    });
  });
  afterAll(async () => {
    await stopAll(redis, app);
    if (app) watch.captureOutput(app);
    expect(watch.leaks()).toEqual([]);
  });

  it('answers 413 to 50 MB bodies (declared and chunked) on a 1 MB route without buffering them', async () => {
    // Buffering a body would grow the server by at least its 50 MB; what growth there is comes from
    // read-and-discarded chunks the allocator has not returned yet. Each body is measured on its own.
    const before = await app.rss();
    const declared = await sendHuge(app.port, HUGE, false);
    const between = await app.rss();
    const chunked = await sendHuge(app.port, HUGE, true);
    const after = await app.rss();
    const growth = Math.max(between - before, after - between);
    reportScenario({
      scenario: '6a. 50 MB body on a 1 MB route',
      load: '2 × 50 MB (Content-Length, chunked)',
      faults: 'oversized bodies',
      processed: 0,
      duplicated: 0,
      lost: 0,
      falseAccepts: 0,
      crashes: app.alive ? 0 : 1,
      notes: `answers ${declared}/${chunked}; largest server RSS growth for one body ${(growth / MB).toFixed(1)} MB`,
    });
    expect([declared, chunked]).toEqual([413, 413]);
    expect(growth).toBeLessThan(HUGE);
    expect(app.alive).toBe(true);
  });

  it('cuts off a trickled body with 408 (server.requestTimeout, WEBHOOK_REQUEST_TIMEOUT_MS)', async () => {
    const status = await new Promise<number>((resolve) => {
      const socket = connect(app.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
      socket.on('error', () => undefined);
      socket.write(
        'POST /webhooks/standard HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{',
      );
      // One byte every 100 ms: 100,000 bytes would take almost 3 hours.
      const trickle = setInterval(() => socket.write(' '), 100);
      socket.on('close', () => {
        clearInterval(trickle);
        resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0));
      });
    });
    reportScenario({
      scenario: '6b. slow (trickled) body',
      load: '1 request, 1 byte / 100 ms of a declared 100,000',
      faults: 'slowloris body',
      processed: 0,
      duplicated: 0,
      lost: 0,
      falseAccepts: 0,
      crashes: app.alive ? 0 : 1,
      notes: `answer ${status}; requestTimeout ${REQUEST_TIMEOUT_MS} ms in the test (sample default 30 s)`,
    });
    expect(status).toBe(408);
    expect(app.alive).toBe(true);
  });

  it(`a flood of ${FLOOD} invalid signatures sends the replay store no command (MONITOR)`, async () => {
    const url = `${app.url}/webhooks/standard`;
    const flood = await recordStoreCommands(redis.port);
    const forged = Array.from({ length: FLOOD }, (_, i) => {
      const delivery = standardDelivery(secretOf(150 + (i % 100))); // never fill 61, the real secret
      return { ...delivery, headers: { ...delivery.headers } };
    });
    const answers = await pool(forged, 32, (delivery) => post(url, delivery, watch));
    const duringFlood = await flood.stop();
    // Control: one valid delivery does reach the store, so the recording does see its commands.
    const control = await recordStoreCommands(redis.port);
    const valid = await post(url, standardDelivery(SECRET), watch);
    const forValid = await control.stop();
    const falseAccepts = answers.filter((a) => a.status < 300).length;
    reportScenario({
      scenario: '6c. flood of invalid signatures',
      load: `${FLOOD} deliveries signed with wrong secrets, 32 at a time`,
      faults: 'forged signatures',
      processed: valid.status === 200 ? 1 : 0,
      duplicated: 0,
      lost: 0,
      falseAccepts,
      crashes: app.alive ? 0 : 1,
      notes: `replay-store commands during the flood: ${duringFlood.length}; for one valid delivery: ${forValid.length}`,
    });
    expect(answers.every((a) => a.status === 401)).toBe(true);
    expect(duringFlood).toEqual([]);
    expect(valid.status).toBe(200);
    expect(forValid.length).toBeGreaterThan(0);
  });
});
