import { hash, verify } from '@node-rs/argon2';

// `Algorithm.Argon2id` is an ambient const enum, which type stripping cannot inline; 2 is its value.
const ARGON2ID = 2;

// OWASP's argon2id baseline (19 MiB, 2 iterations, 1 lane); the parameters are stored in each hash,
// so raising them later only affects new hashes.
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A real hash to verify against when the email is unknown, so both paths take the same time. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hash('pressroom-timing-equaliser', OPTIONS);
  return dummyHash;
}
