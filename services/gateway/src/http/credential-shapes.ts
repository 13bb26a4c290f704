/** An access token as `authenticate` accepts it: `Bearer` and a compact JWS; anything else is refused unread. */
export const BEARER_JWT = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;
/** An API key (`Bearer prs_…`), checked by its hash instead of as a JWT. */
export const API_KEY_PREFIX = 'Bearer prs_';
