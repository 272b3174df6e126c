import { DEFAULT_TOKEN_HEADER, headerNameProblem } from '@hookstream/schemas';
import type { WebhookRecord } from '@hookstream/store';
import { AuthError } from './errors.js';
import type { SecretResolver } from './secrets.js';

/** `partner_secret_token`: the token header (name configurable per webhook), token resolved now. */
export async function tokenHeader(webhook: WebhookRecord, secrets: SecretResolver): Promise<[string, string]> {
  const config = webhook.spec.auth_config as { secret_name?: string; header_name?: string };
  const name = (config.header_name ?? DEFAULT_TOKEN_HEADER).toLowerCase();
  // A row stored before the header-name rule (#16.1) must not set framing or platform headers.
  const problem = headerNameProblem(name, { allowAuthorization: true });
  if (problem) throw new AuthError('auth_config', `auth_config.header_name ${problem}; update the webhook`);
  if (config.secret_name) return [name, await secrets.tenantSecret(webhook.tenantId, config.secret_name)];
  const token = secrets.webhookSecrets(webhook).token;
  if (!token) throw new AuthError('auth_secret_missing', 'the webhook has no token');
  return [name, token];
}
