import { hmacValidator } from '@adyen/api-library';
import { eventNamesOf } from '../../handlers/webhook-dispatcher.js';
import { deliver, eventOf, reasonAndStatusOf, secondDeliveryKind } from '../../testing/scheme-testing.js';
import { adyen, adyenHmacSignature } from './adyen.scheme.js';

// Published vector: Adyen's HMAC signing example (docs.adyen.com "Verify HMAC signatures"; the same
// key, item and signature are in Adyen's own library tests).
const VECTOR_KEY = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';
const VECTOR_ITEM = {
  additionalData: { hmacSignature: 'coqCmt/IZ4E3CzPvMY8zTjQVL5hYJUiBRg8UU+iCWo0=' },
  amount: { value: 1130, currency: 'EUR' },
  pspReference: '7914073381342284',
  eventCode: 'AUTHORISATION',
  merchantAccountCode: 'TestMerchant',
  merchantReference: 'TestPayment-1407325143704',
  paymentMethod: 'visa',
  reason: 'REFUSED',
  success: 'true',
};
const KEY = 'A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90';
const OLD_KEY = '0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A69788796A5B4C3D2E1F0';
const notification = (...items: object[]) =>
  JSON.stringify({
    live: 'false',
    notificationItems: items.map((item) => ({ NotificationRequestItem: item })),
  });
const item = (psp: string, eventCode = 'AUTHORISATION', extra: object = {}) => ({
  amount: { value: 2500, currency: 'EUR' },
  pspReference: psp,
  eventCode,
  eventDate: '2026-11-30T10:00:00+01:00',
  merchantAccountCode: 'ShopMerchant',
  merchantReference: `order-${psp}`,
  success: 'true',
  additionalData: {},
  ...extra,
});
/** Signed by the official @adyen/api-library HmacValidator. */
const sdkSigned = (key: string, entry: ReturnType<typeof item>) => ({
  ...entry,
  additionalData: {
    ...entry.additionalData,
    hmacSignature: new hmacValidator().calculateHmac(entry as never, key),
  },
});
const verify = (body: string, secrets: string | string[] = KEY) =>
  reasonAndStatusOf(deliver(adyen(), { 'content-type': 'application/json' }, body, { secrets }));

describe('adyen()', () => {
  it("accepts Adyen's published signing example", async () => {
    expect(await verify(notification(VECTOR_ITEM), VECTOR_KEY)).toBe('accepted');
    expect(adyenHmacSignature(VECTOR_ITEM, VECTOR_KEY)).toBe(VECTOR_ITEM.additionalData.hmacSignature);
  });

  it('accepts items signed by the official HmacValidator, and its validateHMAC accepts our signBody()', async () => {
    const body = notification(sdkSigned(KEY, item('8815')), sdkSigned(KEY, item('8816', 'CAPTURE')));
    const event = eventOf(await deliver(adyen(), {}, body, { secrets: KEY }));
    expect(eventNamesOf(adyen(), event)).toEqual(['AUTHORISATION', 'CAPTURE']);
    expect(event.signed).toMatchObject({ body: false });

    const ours = JSON.parse(
      adyen().signBody!({ secret: KEY, body: notification(item('8817')) }).toString(),
    ) as {
      notificationItems: { NotificationRequestItem: never }[];
    };
    const validator = new hmacValidator();
    expect(validator.validateHMAC(ours.notificationItems[0]!.NotificationRequestItem, KEY)).toBe(true);
    expect(validator.validateHMAC(ours.notificationItems[0]!.NotificationRequestItem, OLD_KEY)).toBe(false);
  });

  it('exposes the signed pspReference:eventCode and eventCode of a one-item notification', async () => {
    const event = eventOf(
      await deliver(adyen(), {}, notification(sdkSigned(KEY, item('8815'))), { secrets: KEY }),
    );
    expect(event).toMatchObject({ id: '8815:AUTHORISATION', type: 'AUTHORISATION' });
    expect(event.signed).toMatchObject({ id: true, type: true });
  });

  it('refuses a tampered signed field and the wrong key', async () => {
    const signed = sdkSigned(KEY, item('8815'));
    expect(await verify(notification({ ...signed, amount: { value: 1, currency: 'EUR' } }))).toBe(
      'signature_mismatch/401',
    );
    expect(await verify(notification({ ...signed, success: 'false' }))).toBe('signature_mismatch/401');
    expect(await verify(notification(signed), OLD_KEY)).toBe('signature_mismatch/401');
  });

  it('verifies a batch only when every item verifies', async () => {
    const good = sdkSigned(KEY, item('8815'));
    const unsigned = item('8816');
    const wrongKey = sdkSigned(OLD_KEY, item('8817'));
    expect(await verify(notification(good, sdkSigned(KEY, item('8816'))))).toBe('accepted');
    expect(await verify(notification(good, unsigned))).toBe('missing_signature/401');
    expect(await verify(notification(good, wrongKey))).toBe('signature_mismatch/401');
    expect(await verify(notification(good, wrongKey), [KEY, OLD_KEY])).toBe('signature_mismatch/401');
    const many = Array.from({ length: 17 }, (_, i) => sdkSigned(KEY, item(`9${i}`)));
    expect(await verify(notification(...many))).toBe('too_many_signatures/400');
  });

  it('refuses bodies that are not signed notifications', async () => {
    expect(await verify('{"live":"false"}')).toBe('missing_signature/401');
    expect(await verify('not json')).toBe('missing_signature/401');
    expect(await verify(notification({ ...item('1'), additionalData: { hmacSignature: 'abc' } }))).toBe(
      'malformed_signature/400',
    );
    expect(
      await verify(notification(sdkSigned(KEY, item('1', 'AUTHORISATION', { pspReference: { x: 1 } })))),
    ).toBe('malformed_header/400');
    expect(() => adyen().importKey('not-hex')).toThrow(expect.objectContaining({ reason: 'invalid_secret' }));
  });

  it('has no timestamp to check, and accepts the old or the new key (rotation)', async () => {
    expect(adyen().defaultToleranceMs).toBeUndefined();
    expect(await verify(notification(sdkSigned(OLD_KEY, item('8815'))), [KEY, OLD_KEY])).toBe('accepted');
    expect(await verify(notification(sdkSigned(KEY, item('8815'))), [KEY, OLD_KEY])).toBe('accepted');
  });

  it('refuses a replay whose unsigned fields changed (replay keyed on the signed fields)', async () => {
    const signed = sdkSigned(KEY, item('8815'));
    const first = { rawBody: notification(signed) };
    const retried = {
      rawBody: JSON.stringify({
        live: 'true',
        notificationItems: [{ NotificationRequestItem: { ...signed, reason: 'retry' } }],
      }),
    };
    expect(await secondDeliveryKind(adyen(), first, retried, { secrets: KEY })).toBe('duplicate');
    const other = { rawBody: notification(sdkSigned(KEY, item('8815', 'CAPTURE'))) };
    expect(await secondDeliveryKind(adyen(), first, other, { secrets: KEY })).toBe('new');
  });
});
