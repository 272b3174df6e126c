import { DEFAULT_TOKEN_HEADER } from '@hookstream/schemas';
import type { WebhookRecord } from '@hookstream/store';
import { AuthError } from '../../src/auth/errors.js';
import type { SecretResolver } from '../../src/auth/secrets.js';
import { tokenHeader } from '../../src/auth/token-header.js';

// A stored row as an older gateway could have written it (before the header-name rule).
function webhookWithHeader(headerName: string | undefined): WebhookRecord {
  return {
    id: 'w1',
    tenantId: 't1',
    spec: { auth_type: 'partner_secret_token', auth_config: { ...(headerName === undefined ? {} : { header_name: headerName }) } },
  } as unknown as WebhookRecord;
}
const secrets = { webhookSecrets: () => ({ token: 'tok-123' }) } as unknown as SecretResolver;

describe('#16.1 token header at send time', () => {
  it('sends the token under the configured name, lower-cased', async () => {
    expect(await tokenHeader(webhookWithHeader('X-Partner-Token'), secrets)).toEqual(['x-partner-token', 'tok-123']);
    expect(await tokenHeader(webhookWithHeader(undefined), secrets)).toEqual([DEFAULT_TOKEN_HEADER, 'tok-123']);
  });

  it.each(['Content-Length', 'Host', 'Transfer-Encoding', 'Expect', 'webhook-signature', 'content-type', 'proxy-authorization', 'bad name'])(
    'never sends a stored reserved or invalid name %j: the attempt fails with an auth_config error',
    async (name) => {
      const attempt = tokenHeader(webhookWithHeader(name), secrets);
      await expect(attempt).rejects.toThrow(AuthError);
      await expect(tokenHeader(webhookWithHeader(name), secrets)).rejects.toMatchObject({ errorClass: 'auth_config' });
    },
  );
});
