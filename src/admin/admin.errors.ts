import { ApiError } from '../http';

/** Why an admin request was refused (logged, never the token itself). */
export type AdminAuthFailure = 'missing' | 'malformed' | 'wrong';

/** 401: the admin API needs `Authorization: Bearer <ADMIN_TOKEN>`; `WWW-Authenticate` says so. */
export class AdminUnauthorizedError extends ApiError {
  readonly status = 401;
  readonly code = 'E_ADMIN_UNAUTHORIZED';
  readonly title = 'Unauthorized';

  constructor(readonly failure: AdminAuthFailure) {
    super(failure === 'wrong' ? 'The admin token is not valid.' : 'The admin API needs an "Authorization: Bearer <token>" header.', {
      headers: {
        'www-authenticate': failure === 'wrong' ? 'Bearer realm="bulwark-admin", error="invalid_token"' : 'Bearer realm="bulwark-admin"',
      },
    });
  }
}

/** 404 `E_POLICY_NOT_FOUND`: `/admin/breakers/:name` names no resilience policy. */
export class PolicyNotFoundError extends ApiError {
  readonly status = 404;
  readonly code = 'E_POLICY_NOT_FOUND';
  readonly title = 'Not found';

  constructor(name: string) {
    super(`No resilience policy is named "${name}".`);
  }
}
