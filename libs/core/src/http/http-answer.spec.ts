import { WebhookVerificationError } from '../errors/webhook-verification.error.js';
import { handshakeAnswer, refusalAnswer } from './http-answer.js';

describe('refusalAnswer()', () => {
  it('answers an unexpected error as internal_error (500), never as a resolver or store outage', () => {
    const refusal = refusalAnswer(new TypeError('x is undefined'), 'stripe');
    expect(refusal.status).toBe(500);
    expect(refusal.body).toEqual({
      statusCode: 500,
      error: 'internal_error',
      message: 'The webhook endpoint is misconfigured.',
    });
    expect(refusal.log).toMatchObject({ level: 'error', line: expect.stringContaining('x is undefined') });
  });

  it('answers an unknown endpoint exactly like a wrong signature; the log keeps the real reason', () => {
    const unknown = refusalAnswer(
      new WebhookVerificationError('unknown_endpoint', 'No secret for acme.'),
      'e',
    );
    const mismatch = refusalAnswer(
      new WebhookVerificationError('signature_mismatch', 'No signature matches the configured secret(s).'),
      'e',
    );
    expect(unknown.status).toBe(mismatch.status);
    expect(unknown.body).toEqual(mismatch.body);
    expect(unknown.failure.reason).toBe('unknown_endpoint');
    expect(unknown.log?.line).toContain('unknown_endpoint');
    // An app that answers signature mismatches 403 answers unknown endpoints 403 too.
    expect(
      refusalAnswer(new WebhookVerificationError('unknown_endpoint', '?'), 'e', { signature_mismatch: 403 })
        .status,
    ).toBe(403);
  });

  it('turns a retry hint into a Retry-After header in whole seconds', () => {
    const refusal = refusalAnswer(
      new WebhookVerificationError('replay_in_flight', 'busy', { retryAfterMs: 2_100 }),
      'e',
    );
    expect(refusal.headers).toEqual({ 'retry-after': '3' });
  });
});

describe('handshakeAnswer()', () => {
  it('sends text as text and objects as JSON unless the scheme named a content type', () => {
    expect(handshakeAnswer({ status: 200, body: Buffer.from('abc') })).toEqual({
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'abc',
    });
    expect(handshakeAnswer({ status: 200, body: { type: 1 } }).headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
    });
    expect(
      handshakeAnswer({ status: 200, headers: { 'Content-Type': 'text/html' }, body: 'x' }).headers,
    ).toEqual({ 'Content-Type': 'text/html' });
    expect(handshakeAnswer({ status: 204 })).toEqual({ status: 204, headers: {}, body: undefined });
  });
});
