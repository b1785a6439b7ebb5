import { deliver, eventOf, reasonOf, secondDeliveryKind } from '../../testing/scheme-testing.js';
import { telegram } from './telegram.scheme.js';

// Telegram signs nothing: it repeats setWebhook's secret_token verbatim in a header
// (core.telegram.org/bots/api#setwebhook). No signer exists; the test sends the header as Telegram does.
const TOKEN = 'tg_secret-Token_0123456789abcdef';
const NEW_TOKEN = 'tg_rotated-Token_9876543210zyxw';
const BODY = JSON.stringify({
  update_id: 10000,
  message: { message_id: 1365, date: 1_763_800_000, chat: { id: 1111111, type: 'private' }, text: '/start' },
});
const sent = (token: string) => ({
  'x-telegram-bot-api-secret-token': token,
  'content-type': 'application/json',
});

describe('telegram() (a shared secret token, not a signature)', () => {
  const scheme = telegram();

  it('accepts the configured secret_token sent verbatim, and says the body is not authenticated', async () => {
    const outcome = await deliver(scheme, sent(TOKEN), BODY, { secrets: TOKEN });
    expect(eventOf(outcome).payload).toMatchObject({ update_id: 10000 });
    expect(eventOf(outcome).signed).toEqual({ id: false, type: false, timestamp: false, body: false });
    expect(scheme.sign({ secret: TOKEN, body: BODY })['x-telegram-bot-api-secret-token']).toBe(TOKEN);
  });

  it('refuses another token, a prefix of it, a longer one and none', async () => {
    for (const token of [NEW_TOKEN, TOKEN.slice(0, -1), `${TOKEN}x`]) {
      expect(await reasonOf(deliver(scheme, sent(token), BODY, { secrets: TOKEN }))).toBe(
        'signature_mismatch',
      );
    }
    expect(await reasonOf(deliver(scheme, {}, BODY, { secrets: TOKEN }))).toBe('missing_signature');
  });

  it('accepts the old or the new token (rotation)', async () => {
    for (const token of [TOKEN, NEW_TOKEN]) {
      expect(await reasonOf(deliver(scheme, sent(token), BODY, { secrets: [NEW_TOKEN, TOKEN] }))).toBe(
        'accepted',
      );
    }
  });

  it('refuses a configured token Telegram would never accept in setWebhook', async () => {
    expect(await reasonOf(deliver(scheme, sent('has space'), BODY, { secrets: 'has space' }))).toBe(
      'invalid_secret',
    );
    expect(await reasonOf(deliver(scheme, sent('x'), BODY, { secrets: 'a'.repeat(257) }))).toBe(
      'invalid_secret',
    );
    expect(await reasonOf(deliver(scheme, sent('ok'), BODY, { secrets: 'tök' }))).toBe('invalid_secret');
  });

  it('refuses a redelivered update, even under fresh unsigned headers', async () => {
    const first = { headers: sent(TOKEN), rawBody: BODY };
    const second = { headers: { ...sent(TOKEN), 'x-forwarded-for': '149.154.167.1' }, rawBody: BODY };
    expect(await secondDeliveryKind(scheme, first, second, { secrets: TOKEN })).toBe('duplicate');
  });
});
