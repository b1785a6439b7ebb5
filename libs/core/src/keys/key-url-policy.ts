/**
 * Where the library may call out, per provider: exact hosts and paths, https only, nothing an
 * attacker can widen (docs/architecture.md, "Keys that are fetched"). A URL from a delivery is checked
 * here while parsing, before any key is resolved or fetched; the fetcher checks it again before it
 * connects. No option widens these lists: tests route the allowed host names to a local server
 * instead (`KeyFetcherOptions.unsafeTestRoute`).
 */
export interface KeyUrlPolicy {
  /** For messages: `SNS signing certificate`, `Google OAuth2 certificates`, ... */
  readonly name: string;
  /** True when the URL may be fetched. Pure and cheap: no DNS, no I/O. */
  allows(url: URL): boolean;
}

/**
 * AWS region names as SNS hosts carry them (`us-east-1`, `us-gov-west-1`, `eu-central-2`,
 * `ap-southeast-5`, `cn-north-1`): lower-case words and one digit, nothing else.
 */
const AWS_REGION = /^[a-z]{2}(?:-[a-z]{2,10}){1,3}-\d{1,2}$/;

/** `sns.<region>.amazonaws.com`, or `sns.<cn-region>.amazonaws.com.cn` for the China partition. */
export function isSnsHost(host: string): boolean {
  const match = /^sns\.([a-z0-9-]{4,30})\.amazonaws\.com(\.cn)?$/.exec(host);
  if (!match || !AWS_REGION.test(match[1]!)) return false;
  return match[1]!.startsWith('cn-') === (match[2] !== undefined);
}

/** The region of an SNS host (`sns.eu-west-1.amazonaws.com` → `eu-west-1`). */
export const snsHostRegion = (host: string): string | undefined =>
  isSnsHost(host) ? host.split('.')[1] : undefined;

/** https, default port, no credentials, no fragment: the shape every allowed URL shares. */
function plainHttps(url: URL): boolean {
  return (
    url.protocol === 'https:' &&
    url.port === '' &&
    url.username === '' &&
    url.password === '' &&
    url.hash === ''
  );
}

/** SNS signing certificates: `https://sns.<region>.amazonaws.com/SimpleNotificationService-<32 hex>.pem`. */
export const SNS_SIGNING_CERT: KeyUrlPolicy = {
  name: 'SNS signing certificate',
  allows: (url) =>
    plainHttps(url) &&
    // Not even an empty `?` or `#`: one certificate has one spelling.
    url.href === `${url.origin}${url.pathname}` &&
    isSnsHost(url.hostname) &&
    /^\/SimpleNotificationService-[0-9a-f]{32}\.pem$/.test(url.pathname),
};

/**
 * SNS subscription confirmation: `https://sns.<region>.amazonaws.com/?Action=ConfirmSubscription&TopicArn=…&Token=…`.
 * The scheme also requires the TopicArn and Token to be the signed message's own.
 */
export const SNS_CONFIRM_SUBSCRIPTION: KeyUrlPolicy = {
  name: 'SNS SubscribeURL',
  allows: (url) =>
    plainHttps(url) &&
    isSnsHost(url.hostname) &&
    url.pathname === '/' &&
    url.searchParams.get('Action') === 'ConfirmSubscription' &&
    [...url.searchParams.keys()].every((key) => key === 'Action' || key === 'TopicArn' || key === 'Token'),
};

/** Google's OAuth2 signing certificates (PEM by key id), which sign Pub/Sub push tokens. */
export const GOOGLE_OAUTH2_CERTS_URL = 'https://www.googleapis.com/oauth2/v1/certs';
export const GOOGLE_OAUTH2_CERTS: KeyUrlPolicy = exactUrl(
  'Google OAuth2 certificates',
  GOOGLE_OAUTH2_CERTS_URL,
);

/** Microsoft identity platform keys (JWKS), which sign Graph's `validationTokens`. */
export const MICROSOFT_IDENTITY_KEYS_URL = 'https://login.microsoftonline.com/common/discovery/keys';
export const MICROSOFT_IDENTITY_KEYS: KeyUrlPolicy = exactUrl(
  'Microsoft identity platform keys',
  MICROSOFT_IDENTITY_KEYS_URL,
);

function exactUrl(name: string, href: string): KeyUrlPolicy {
  return { name, allows: (url) => plainHttps(url) && url.href === href };
}

/** Parses and checks a URL taken from a delivery; undefined when it is not one the policy allows. */
export function allowedUrl(text: string, policy: KeyUrlPolicy): URL | undefined {
  if (text.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  return policy.allows(url) ? url : undefined;
}
