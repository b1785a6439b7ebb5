/**
 * Opt-in typings for GitHub handlers: `import '@verified-webhooks/core/typings/github'` once (it needs
 * `@octokit/webhooks-types`) and the `github` endpoint takes GitHub's event names, with and without
 * their action (`issues`, `issues.opened`), each typed from GitHub's schemas.
 * For an endpoint of another name: `interface WebhookEventMap { repos: GithubWebhookEvents }`.
 */
import type { WebhookEventMap as OctokitEvents } from '@octokit/webhooks-types';

/** One entry per member of the event's payload union that names its action. */
type WithAction<Name extends string, Payload> = Payload extends { action: infer Action extends string }
  ? { [Key in `${Name}.${Action}`]: Payload }
  : object;

type UnionToIntersection<Union> = (Union extends unknown ? (value: Union) => void : never) extends (
  value: infer Intersection,
) => void
  ? Intersection
  : never;

type EventName = Extract<keyof OctokitEvents, string>;

type ActionEvents = UnionToIntersection<
  { [Name in EventName]: WithAction<Name, OctokitEvents[Name]> }[EventName]
>;

/** GitHub's events by name (`issues`) and by name and action (`issues.opened`). */
export type GithubWebhookEvents = OctokitEvents & { [Name in keyof ActionEvents]: ActionEvents[Name] };

declare module '../handlers/webhook-event-map.js' {
  interface WebhookEventMap {
    github: GithubWebhookEvents;
  }
}
