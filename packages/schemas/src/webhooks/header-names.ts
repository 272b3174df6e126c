/**
 * Which header names a tenant may choose (today `auth_config.header_name`; any future
 * tenant-supplied header goes through the same rule). A receiver trusts the framing and the
 * platform headers of a delivery: a tenant who could set `content-length`, `transfer-encoding`
 * or `host` could smuggle a second request or reach another virtual host, and one who could set
 * `webhook-signature` could make a forged delivery look signed by hookstream.
 */

/** RFC 9110 `token`: the only characters a field name may hold. */
export const HTTP_TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** Names hookstream or the HTTP layer own: framing, hop-by-hop, routing, content and session headers. */
export const RESERVED_HEADER_NAMES: ReadonlySet<string> = new Set([
  // Hop-by-hop and framing (RFC 9110 7.6.1, RFC 9112 6).
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'expect',
  'http2-settings',
  // Routing: which server and which path answer, and through whom.
  'host',
  'forwarded',
  'via',
  'max-forwards',
  // Set by the worker for every delivery.
  'content-type',
  'content-encoding',
  'user-agent',
  'authorization',
  // Sessions of the receiver.
  'cookie',
  'set-cookie',
]);

/** Families reserved by prefix: proxies, Standard Webhooks' `webhook-*` headers, the forwarding de-facto headers. */
export const RESERVED_HEADER_PREFIXES: readonly string[] = ['proxy-', 'webhook-', 'x-forwarded-'];

export interface HeaderNameRule {
  /** The auth type itself sends the header (a static token as `Authorization: Bearer ...`): then `authorization` is its to set. */
  allowAuthorization?: boolean;
}

/** Why `name` may not be a tenant-chosen header name, or undefined when it may. */
export function headerNameProblem(name: string, rule: HeaderNameRule = {}): string | undefined {
  if (!HTTP_TOKEN.test(name)) return "must be a valid HTTP header name (letters, digits and !#$%&'*+.^_`|~-)";
  const lower = name.toLowerCase();
  if (lower === 'authorization' && rule.allowAuthorization) return undefined;
  if (RESERVED_HEADER_NAMES.has(lower) || RESERVED_HEADER_PREFIXES.some((p) => lower.startsWith(p))) {
    return `'${lower}' is reserved: hop-by-hop, framing, routing, content, cookie, proxy-* and webhook-* headers are set by hookstream or the HTTP layer; choose another name such as x-partner-token`;
  }
  return undefined;
}
