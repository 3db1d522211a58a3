/** Why the dashboard would not start, or refused a request; every one has a code. */
export type DashboardErrorCode =
  | 'E_DASHBOARD_NO_TOKEN'
  | 'E_DASHBOARD_TOKEN_FILE'
  | 'E_DASHBOARD_LISTEN'
  | 'E_DASHBOARD_BAD_REQUEST'
  | 'E_DASHBOARD_ALLOWLISTED'
  | 'E_DASHBOARD_NOT_FOUND'
  | 'E_DASHBOARD_AUTH'
  | 'E_DASHBOARD_CSRF'
  | 'E_DASHBOARD_TOO_LARGE';

export class DashboardError extends Error {
  constructor(
    readonly code: DashboardErrorCode,
    message: string,
  ) {
    super(message);
  }
}
