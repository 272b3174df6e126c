const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Standard base64 decoded strictly: padding required, no whitespace or URL-safe letters, no
 * stray trailing bits. Node's own decoder skips what it does not understand, which would turn a
 * mistyped key into a short (forgeable) one or a mangled signature into a matching one.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!STRICT_BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
