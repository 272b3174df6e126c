import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { HttpUrl, Id, requires, StringEnum } from '../primitives.js';
import { describePattern } from '../validation.js';
import { MAX_SECRET_LENGTH } from '../limits.js';

/** How hookstream authenticates its calls to the partner. `none` when the request names none. */
export const AUTH_TYPES = ['none', 'partner_secret_token', 'client_secret_jwt'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

export const DEFAULT_TOKEN_HEADER = 'x-openweb-notification-event-webhook-token';
export const DEFAULT_CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const DEFAULT_GRANT_TYPE = 'client_credentials';

// The schema checks the characters; reserved names are refused by headerNameProblem (header-names.ts).
export const HEADER_NAME_PATTERN = describePattern("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", 'must be a valid HTTP header name');

const Secret = (description: string) => Type.String({ minLength: 1, maxLength: MAX_SECRET_LENGTH, writeOnly: true, description });
const SecretName = Type.String({ minLength: 1, maxLength: 256, description: 'Entry of the secret store that holds the secret' });

/** JSON Schema keywords requiring exactly one of two properties. */
export function exactlyOne(a: string, b: string) {
  return {
    anyOf: [requires(a), requires(b)],
    not: { description: `must have either '${a}' or '${b}', not both`, ...requires(a, b) },
  };
}

/** `partner_secret_token`: a static token sent in a header, given inline or by secret-store name. */
export const TokenAuthConfigSchema = Type.Object(
  {
    token: Type.Optional(Secret('The token, inline')),
    secret_name: Type.Optional(SecretName),
    header_name: Type.Optional(
      Type.String({
        pattern: HEADER_NAME_PATTERN,
        maxLength: 256,
        default: DEFAULT_TOKEN_HEADER,
        description: 'Header carrying the token; not a hop-by-hop, framing, routing, content, cookie, proxy-* or webhook-* name (authorization is allowed)',
      }),
    ),
  },
  { title: 'TokenAuthConfig', additionalProperties: false, ...exactlyOne('token', 'secret_name') },
);
export type TokenAuthConfig = Static<typeof TokenAuthConfigSchema>;

/** `client_secret_jwt` (RFC 7523): an HS256 client assertion exchanged for an access token. */
export const JwtAuthConfigSchema = Type.Object(
  {
    client_id: Id({ description: 'ID of the client who must be authenticated' }),
    client_secret: Type.Optional(Secret('Secret used to sign the JWT request')),
    secret_name: Type.Optional(SecretName),
    client_assertion_type: Type.Optional(Type.String({ minLength: 1, maxLength: 256, default: DEFAULT_CLIENT_ASSERTION_TYPE })),
    audience: Type.String({ minLength: 1, maxLength: 2048, description: 'Identifies the authorization server as an intended audience' }),
    token_uri: HttpUrl({ description: 'URL used to request an access token (https required by the gateway in production)' }),
    grant_type: Type.Optional(Type.String({ minLength: 1, maxLength: 256, default: DEFAULT_GRANT_TYPE })),
    extra_grants: Type.Optional(
      Type.Object(
        { scope: Type.Optional(Type.String({ maxLength: 1024 })), realm: Type.Optional(Type.String({ maxLength: 1024 })) },
        { additionalProperties: Type.String({ maxLength: 1024 }), maxProperties: 20, description: 'Extra parameters of the token request' },
      ),
    ),
  },
  { title: 'JwtAuthConfig', additionalProperties: false, ...exactlyOne('client_secret', 'secret_name') },
);
export type JwtAuthConfig = Static<typeof JwtAuthConfigSchema>;

export const AuthTypeSchema = StringEnum(AUTH_TYPES);

/**
 * Conditions tying `auth_config` to `auth_type`, shared by the request and the stored shape:
 * a token type needs a token config, the JWT type a JWT config, and no type (or `none`) allows
 * no config at all (so a forgotten `auth_type` is not silently ignored).
 */
export function authConditions(token: object, jwt: object) {
  return [
    {
      if: { type: 'object', properties: { auth_type: { const: 'partner_secret_token' } }, required: ['auth_type'] },
      then: { properties: { auth_config: token }, required: ['auth_config'] },
    },
    {
      if: { type: 'object', properties: { auth_type: { const: 'client_secret_jwt' } }, required: ['auth_type'] },
      then: { properties: { auth_config: jwt }, required: ['auth_config'] },
    },
    {
      if: { type: 'object', properties: { auth_type: { const: 'none' } } },
      then: {
        properties: {
          auth_config: { not: { description: "auth_config needs auth_type 'partner_secret_token' or 'client_secret_jwt'", type: 'object', minProperties: 1 } },
        },
      },
    },
  ];
}
