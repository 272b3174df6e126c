/**
 * Headers on every JSON (and plain-text) answer of every hookstream process. A JSON API has
 * no business being rendered, framed or sniffed as HTML by a browser: if a response ever
 * reflects input, these keep it inert. Built once; answering sets four fixed strings.
 */
export const JSON_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // frame-ancestors for browsers that predate CSP level 2.
  'x-frame-options': 'DENY',
});

/** The same headers as raw HTTP/1.1 header lines, for answers written straight to a socket. */
export const JSON_SECURITY_HEADER_LINES = Object.entries(JSON_SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');
