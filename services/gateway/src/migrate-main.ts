// Runs the migrations and exits: the Kubernetes Job that precedes a gateway rollout. Replicas that start
// meanwhile wait on the same advisory lock, so a race is harmless.
import { loadConfigOrExit } from '@pressroom/config';
import { createLogger } from '@pressroom/logger';
import { migrate } from './db/migrate.ts';
import { createPool } from './db/pool.ts';

const config = loadConfigOrExit('gateway');
const logger = createLogger({ service: 'gateway-migrate', level: config.LOG_LEVEL });
const db = createPool(config.DATABASE_URL, 1, logger);
try {
  const applied = await migrate(db, logger);
  logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'database already up to date');
} catch (err) {
  logger.error({ err }, 'migration failed');
  process.exitCode = 1;
} finally {
  await db.end();
}
