import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { verifyKey } from 'discord-interactions';
import { deliver, eventOf, reasonOf, replayWithFreshHeaders, replyOf } from '../../testing/scheme-testing.js';
import { discord } from './discord.scheme.js';

/** An application key pair as Discord hands it out: the public key in hex; the private seed for our signer. */
function application() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    seedHex: privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16).toString('hex'),
    publicKeyHex: publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex'),
  };
}
const APP = application();
const OLD_APP = application();
const NOW = 1_763_800_000;
const COMMAND = JSON.stringify({ id: '1309446440374087730', type: 2, data: { name: 'ping' } });
const signAt = (body: string, seconds = NOW, seedHex = APP.seedHex) =>
  discord().sign({ secret: seedHex, body, timestamp: seconds * 1000 });
const at = (seconds: number, secrets: string | string[] = APP.publicKeyHex) => ({
  secrets,
  now: seconds * 1000,
});

describe('discord()', () => {
  const scheme = discord();

  it('signs what the official verifier (discord-interactions verifyKey) accepts', async () => {
    const headers = signAt(COMMAND);
    expect(
      await verifyKey(
        COMMAND,
        headers['x-signature-ed25519']!,
        headers['x-signature-timestamp']!,
        APP.publicKeyHex,
      ),
    ).toBe(true);
    expect(
      await verifyKey(
        COMMAND + ' ',
        headers['x-signature-ed25519']!,
        headers['x-signature-timestamp']!,
        APP.publicKeyHex,
      ),
    ).toBe(false);
  });

  it('accepts a signature made directly with node:crypto over timestamp + body', async () => {
    const signature = cryptoSign(null, Buffer.from(`${NOW}${COMMAND}`), APP.privateKey).toString('hex');
    const headers = { 'x-signature-ed25519': signature, 'x-signature-timestamp': String(NOW) };
    const outcome = await deliver(scheme, headers, COMMAND, at(NOW));
    expect(eventOf(outcome).payload).toMatchObject({ type: 2 });
    expect(eventOf(outcome).id).toBe('1309446440374087730');
  });

  it('refuses a tampered body or timestamp and the wrong public key', async () => {
    const headers = signAt(COMMAND);
    expect(await reasonOf(deliver(scheme, headers, COMMAND.replace('ping', 'pong'), at(NOW)))).toBe(
      'signature_mismatch',
    );
    const moved = { ...headers, 'x-signature-timestamp': String(NOW + 1) };
    expect(await reasonOf(deliver(scheme, moved, COMMAND, at(NOW)))).toBe('signature_mismatch');
    expect(await reasonOf(deliver(scheme, headers, COMMAND, at(NOW, OLD_APP.publicKeyHex)))).toBe(
      'signature_mismatch',
    );
  });

  it('refuses stale and future timestamps (5 minutes, both ways)', async () => {
    const headers = signAt(COMMAND);
    expect(await reasonOf(deliver(scheme, headers, COMMAND, at(NOW + 301)))).toBe('timestamp_expired');
    expect(await reasonOf(deliver(scheme, headers, COMMAND, at(NOW - 301)))).toBe('timestamp_in_future');
  });

  it('rotates: deliveries under the old and the new key are both accepted', async () => {
    const secrets = [APP.publicKeyHex, OLD_APP.publicKeyHex];
    expect(
      await reasonOf(deliver(scheme, signAt(COMMAND, NOW, OLD_APP.seedHex), COMMAND, at(NOW, secrets))),
    ).toBe('accepted');
    expect(await reasonOf(deliver(scheme, signAt(COMMAND), COMMAND, at(NOW, secrets)))).toBe('accepted');
  });

  it('answers a signed interaction PING (type 1) with {"type":1}, and only when signed', async () => {
    const ping = JSON.stringify({ id: '1', type: 1, application_id: '2' });
    expect(replyOf(await deliver(scheme, signAt(ping), ping, at(NOW)))).toMatchObject({
      status: 200,
      body: { type: 1 },
    });
    expect(await reasonOf(deliver(scheme, signAt(ping, NOW, OLD_APP.seedHex), ping, at(NOW)))).toBe(
      'signature_mismatch',
    );
    // Type 0 is not a PING for interactions.
    const zero = JSON.stringify({ version: 1, application_id: '2', type: 0 });
    expect((await deliver(scheme, signAt(zero), zero, at(NOW))).kind).toBe('new');
  });

  it('with webhookEvents, answers PING (type 0) with 204 and treats type 1 as an event', async () => {
    const events = discord({ webhookEvents: true });
    const ping = JSON.stringify({ version: 1, application_id: '2', type: 0 });
    expect(replyOf(await deliver(events, signAt(ping), ping, at(NOW)))).toEqual({ status: 204 });
    const event = JSON.stringify({
      version: 1,
      application_id: '2',
      type: 1,
      event: { type: 'APPLICATION_AUTHORIZED' },
    });
    expect((await deliver(events, signAt(event), event, at(NOW))).kind).toBe('new');
  });

  it('keys replays on the signed interaction id', async () => {
    expect(
      await replayWithFreshHeaders(
        scheme,
        signAt(COMMAND),
        COMMAND,
        APP.publicKeyHex,
        signAt(COMMAND, NOW + 5),
        NOW * 1000,
      ),
    ).toEqual(['new', 'duplicate']);
  });

  it('refuses malformed keys and signatures with clear reasons', async () => {
    expect(() => scheme.importKey('abcd')).toThrow(/public key/);
    expect(() => scheme.importKey(APP.publicKeyHex + '00')).toThrow(/public key/);
    const headers = signAt(COMMAND);
    const short = { ...headers, 'x-signature-ed25519': headers['x-signature-ed25519']!.slice(2) };
    expect(await reasonOf(deliver(scheme, short, COMMAND, at(NOW)))).toBe('malformed_signature');
    const { 'x-signature-timestamp': _t, ...noTimestamp } = headers;
    expect(await reasonOf(deliver(scheme, noTimestamp, COMMAND, at(NOW)))).toBe('missing_header');
  });
});
