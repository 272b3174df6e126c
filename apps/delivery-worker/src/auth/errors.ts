/** Authentication could not be prepared; the attempt fails with this class and reason. */
export class AuthError extends Error {
  constructor(
    readonly errorClass: 'auth_secret_missing' | 'token_endpoint' | 'auth_config',
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}
