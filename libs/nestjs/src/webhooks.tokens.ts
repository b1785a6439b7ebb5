import { Inject } from '@nestjs/common';
import type {
  ReplayStore as ReplayStoreContract,
  SecretResolver as SecretResolverContract,
  WebhookQueue as WebhookQueueContract,
} from '@verified-webhooks/core';

/** Injection token for the replay store; the interface of the same name types it. */
export const ReplayStore: unique symbol = Symbol('ReplayStore');
export type ReplayStore = ReplayStoreContract;

/** Injection token for the module-wide secret resolver; the interface of the same name types it. */
export const SecretResolver: unique symbol = Symbol('SecretResolver');
export type SecretResolver = SecretResolverContract;

/** Injection token for the queue of durable routes; the interface of the same name types it. */
export const WebhookQueue: unique symbol = Symbol('WebhookQueue');
export type WebhookQueue = WebhookQueueContract;

export const InjectReplayStore = (): PropertyDecorator & ParameterDecorator => Inject(ReplayStore);
export const InjectSecretResolver = (): PropertyDecorator & ParameterDecorator => Inject(SecretResolver);
export const InjectWebhookQueue = (): PropertyDecorator & ParameterDecorator => Inject(WebhookQueue);

/** Metadata key set by @VerifiedWebhook() on a method or controller class. */
export const VERIFIED_WEBHOOK_METADATA = 'verified-webhooks:route';
