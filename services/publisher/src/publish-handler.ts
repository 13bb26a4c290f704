import type { Channel } from '@pressroom/contracts';
import type { StageHandler } from '@pressroom/messaging';
import { createOperatorClient, createUserTargetClient } from '@pressroom/resilience';
import type { StageAlerting, WorkerDeps } from '@pressroom/runtime';
import type { PublishChannel } from './channels/channel.ts';
import { createFileChannel } from './channels/file-channel.ts';
import { createWebhookChannel } from './channels/webhook-channel.ts';
import { createWordpressChannel } from './channels/wordpress-channel.ts';
import { createPublishOnce } from './idempotency/publish-once.ts';

/** How this stage's alerts name its dependency (libs/runtime's stage alerts). */
export const PUBLISH_ALERTING: StageAlerting = { provider: 'publishing target' };

/** HTTP calls in the longest post (the wordpress channel's lookup and create). */
const LONGEST_POST_CALLS = 2;

/** The last stage: post the article to its channel, once per request, and report where it went. */
export function createPublishHandler(deps: WorkerDeps): StageHandler<'publish'> {
  const { config, logger, redis, breakers } = deps;
  // A webhook URL comes from the request (a user); WORDPRESS_URL from the operator, trusted as configured.
  const common = { timeoutMs: config.HTTP_TIMEOUT_MS, maxResponseBytes: config.RESPONSE_MAX_BYTES };
  const userTargets = createUserTargetClient({ ...common, allowPrivateTargets: config.ALLOW_PRIVATE_TARGETS });
  const operatorEndpoints = createOperatorClient(common);
  const channels: Record<Channel['type'], PublishChannel> = {
    file: createFileChannel({ dir: config.PUBLISH_DIR }),
    webhook: createWebhookChannel({ config, http: userTargets, breakers }),
    wordpress: createWordpressChannel({ config, http: operatorEndpoints, breakers }),
  };
  // The lock outlives the longest post, so it only guards concurrent deliveries: WordPress's, a lookup then the
  // create, each bounded by HTTP_TIMEOUT_MS. One timeout was too short: a second delivery took the lock while the
  // first's create was in flight, found no post yet and posted again.
  const publishOnce = createPublishOnce({ redis, logger, lockMs: LONGEST_POST_CALLS * config.HTTP_TIMEOUT_MS + 2000 });

  return async (task) => {
    const { brief, channel, article } = task.payload;
    const { url, replayed } = await publishOnce(task.request_id, () =>
      channels[channel.type].publish({ request_id: task.request_id, brief, channel, article, published_at: new Date().toISOString() }),
    );
    logger.info({ channel: channel.type, replayed }, replayed ? 'already published; reporting the earlier URL' : `published to ${channel.type}`);
    return { result: { published_url: url } };
  };
}
