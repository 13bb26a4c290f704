// The CLI's sign-in, kept between runs: each command used to log in afresh, which spends the address's sign-in
// budget (RATE_LIMIT_AUTH_PER_HOUR, 20 by default: the 21st command of an hour was refused, and the console's
// sign-in from that host with it) and left a week-long session behind per command.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface CachedSession {
  access_token: string;
  refresh_token: string;
  /** Epoch ms after which the access token is not used. */
  use_until: number;
}

interface StoredSession extends CachedSession {
  /** A salted hash of the password it was signed in with: another password never uses the session. */
  salt: string;
  password_sha256: string;
}

export interface SessionCache {
  read(): CachedSession | undefined;
  write(session: CachedSession): void;
  clear(): void;
}

/**
 * PRESSROOM_SESSION_DIR, else $XDG_STATE_HOME/pressroom, else ~/.local/state/pressroom; none of them set: nothing
 * is kept. One file per gateway and account, 0600 in a 0700 folder, written whole (temporary file, then rename),
 * holding a salted hash of the password: a changed password never reuses the old session, and the file's name
 * (visible to whoever can list the folder) says nothing a password could be tested against.
 */
export function sessionCache(env: NodeJS.ProcessEnv, baseUrl: string, email: string, password: string): SessionCache | undefined {
  const dir =
    env['PRESSROOM_SESSION_DIR'] ||
    (env['XDG_STATE_HOME'] ? join(env['XDG_STATE_HOME'], 'pressroom') : env['HOME'] ? join(env['HOME'], '.local', 'state', 'pressroom') : undefined);
  if (!dir) return undefined;
  const id = createHash('sha256').update(`${baseUrl}\0${email}`).digest('hex').slice(0, 32);
  const passwordHash = (salt: string) => createHash('sha256').update(`${salt}\0${password}`).digest();
  const file = join(dir, `session-${id}.json`);
  return {
    read() {
      try {
        const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<StoredSession>;
        if (typeof s.access_token !== 'string' || typeof s.refresh_token !== 'string' || typeof s.use_until !== 'number') return undefined;
        if (typeof s.salt !== 'string' || typeof s.password_sha256 !== 'string') return undefined;
        const stored = Buffer.from(s.password_sha256, 'hex');
        const given = passwordHash(s.salt);
        if (stored.length !== given.length || !timingSafeEqual(stored, given)) return undefined;
        return { access_token: s.access_token, refresh_token: s.refresh_token, use_until: s.use_until };
      } catch {
        return undefined;
      }
    },
    write(session) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const tmp = `${file}.${process.pid}.tmp`;
        const salt = randomBytes(16).toString('hex');
        const stored: StoredSession = { ...session, salt, password_sha256: passwordHash(salt).toString('hex') };
        writeFileSync(tmp, JSON.stringify(stored), { mode: 0o600 });
        renameSync(tmp, file);
      } catch {
        // Not kept: the next command signs in again, as without a cache.
      }
    },
    clear: () => rmSync(file, { force: true }),
  };
}
