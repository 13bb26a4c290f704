// The auth scheme is case-insensitive (RFC 9110 11.1): `Bearer`, `bearer` and `BEARER` are one scheme.

/** An access token as `authenticate` accepts it: `Bearer` and a compact JWS; anything else is refused unread. */
export const BEARER_JWT = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

const BEARER_API_KEY = /^Bearer +(prs_\S*)$/i;

/** The API key (`Bearer prs_…`) an Authorization header carries, checked by its hash instead of as a JWT. */
export function apiKeyOf(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER_API_KEY.exec(header)?.[1];
}
