import type { KeyObject } from 'node:crypto';
import { createPrivateKey, randomUUID, sign as rsaSign } from 'node:crypto';
import type { SnsMessage, SnsMessageType } from '../schemes/presets/sns.scheme.js';
import { stringToSign } from '../schemes/presets/sns.scheme.js';

/**
 * Test signers for the schemes whose keys are fetched (SNS, Pub/Sub push, Graph validation tokens).
 * The provider holds the real private keys; tests sign with their own and serve the public half
 * from a local HTTPS server that a `KeyFetcher` is routed to (`unsafeTestRoute`).
 */

type PrivateKeyInput = KeyObject | string;
const privateKeyOf = (key: PrivateKeyInput): KeyObject =>
  typeof key === 'string' ? createPrivateKey(key) : key;

export interface SnsSignInput {
  readonly privateKey: PrivateKeyInput;
  /** `https://sns.<region>.amazonaws.com/SimpleNotificationService-<32 hex>.pem` where the certificate is served. */
  readonly certUrl: string;
  readonly topicArn: string;
  readonly message: string;
  readonly type?: SnsMessageType;
  readonly subject?: string;
  readonly messageId?: string;
  readonly timestamp?: Date | number;
  /** Default '2' (SHA256); '1' is SHA1. */
  readonly signatureVersion?: '1' | '2';
  /** Confirmations: the token and the SubscribeURL (default: SNS's own URL for the topic and token). */
  readonly token?: string;
  readonly subscribeUrl?: string;
  /** Unsigned fields SNS adds (MessageAttributes, UnsubscribeURL). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** An SNS message as SNS posts it: the JSON body (signed) and its headers. */
export function signSnsMessage(input: SnsSignInput): { headers: Record<string, string>; body: string } {
  const type = input.type ?? 'Notification';
  const region = input.topicArn.split(':')[3];
  const token = input.token ?? 'a'.repeat(64);
  const message: SnsMessage = {
    Type: type,
    MessageId: input.messageId ?? randomUUID(),
    TopicArn: input.topicArn,
    Timestamp: new Date(input.timestamp ?? Date.now()).toISOString(),
    Message: input.message,
    ...(input.subject === undefined ? {} : { Subject: input.subject }),
    ...(type === 'Notification'
      ? {}
      : {
          Token: token,
          SubscribeURL:
            input.subscribeUrl ??
            `https://sns.${region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${input.topicArn}&Token=${token}`,
        }),
  };
  const version = input.signatureVersion ?? '2';
  const signature = rsaSign(
    version === '1' ? 'RSA-SHA1' : 'RSA-SHA256',
    stringToSign(message),
    privateKeyOf(input.privateKey),
  );
  const body = JSON.stringify({
    ...message,
    SignatureVersion: version,
    Signature: signature.toString('base64'),
    SigningCertURL: input.certUrl,
    ...input.extra,
  });
  return {
    headers: {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': type,
      'x-amz-sns-message-id': message.MessageId,
      'x-amz-sns-topic-arn': input.topicArn,
    },
    body,
  };
}

/** A compact RS256 JWT. */
export function signRs256Jwt(
  privateKey: PrivateKeyInput,
  kid: string,
  claims: Readonly<Record<string, unknown>>,
): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'RS256', kid, typ: 'JWT' })}.${part(claims)}`;
  return `${input}.${rsaSign('RSA-SHA256', Buffer.from(input), privateKeyOf(privateKey)).toString('base64url')}`;
}

export interface PubSubPushInput {
  readonly privateKey: PrivateKeyInput;
  /** The key id Google's certificate document lists the public key under. */
  readonly kid: string;
  /** The push subscription's audience (by default its push endpoint URL). */
  readonly audience: string;
  /** The push subscription's service account. */
  readonly email: string;
  readonly data: string | Buffer;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly messageId?: string;
  readonly subscription?: string;
  /** Token issue time; default now. The token lives an hour. */
  readonly issuedAt?: Date | number;
  /** Override claims (iss, email_verified, exp, …) for negative tests. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** A Pub/Sub push request: `Authorization: Bearer <Google-signed OIDC token>` and the push envelope. */
export function signPubSubPush(input: PubSubPushInput): { headers: Record<string, string>; body: string } {
  const iat = Math.floor(new Date(input.issuedAt ?? Date.now()).getTime() / 1000);
  const token = signRs256Jwt(input.privateKey, input.kid, {
    aud: input.audience,
    azp: '112233445566778899000',
    email: input.email,
    email_verified: true,
    exp: iat + 3600,
    iat,
    iss: 'https://accounts.google.com',
    sub: '112233445566778899000',
    ...input.claims,
  });
  const messageId = input.messageId ?? String(Math.floor(Math.random() * 1e16));
  const body = JSON.stringify({
    message: {
      attributes: input.attributes ?? {},
      data: Buffer.from(input.data).toString('base64'),
      messageId,
      message_id: messageId,
      publishTime: new Date(iat * 1000).toISOString(),
      publish_time: new Date(iat * 1000).toISOString(),
    },
    subscription: input.subscription ?? 'projects/test-project/subscriptions/test-push',
  });
  return { headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body };
}

export interface GraphTokenInput {
  readonly privateKey: PrivateKeyInput;
  readonly kid: string;
  /** Your app's id (the token's audience). */
  readonly appId: string;
  readonly tenantId: string;
  readonly issuedAt?: Date | number;
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** A Microsoft Graph `validationTokens` entry as the identity platform issues it (v1 issuer). */
export function signGraphValidationToken(input: GraphTokenInput): string {
  const iat = Math.floor(new Date(input.issuedAt ?? Date.now()).getTime() / 1000);
  return signRs256Jwt(input.privateKey, input.kid, {
    aud: input.appId,
    iss: `https://sts.windows.net/${input.tenantId}/`,
    iat,
    nbf: iat,
    exp: iat + 3600,
    azp: '0bf30f3b-4a52-48df-9a82-234910c4a086',
    azpacr: '2',
    tid: input.tenantId,
    ver: '1.0',
    ...input.claims,
  });
}
