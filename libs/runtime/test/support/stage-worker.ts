import { randomUUID } from 'node:crypto';
import type { Config } from '@pressroom/config';
import type { Envelope, ResearchTask, Stage, TaskPayloads } from '@pressroom/contracts';
import { createEnvelope, publishTask, type StageHandler } from '@pressroom/messaging';
import { runWorker, type RunningWorker, type StageAlerting, type WorkerDeps } from '@pressroom/runtime';
import { cleanupBroker, cleanupRedis, collectEvents, startHttpStub, testConfig, testId, type HttpStub } from '@pressroom/test-support';

const SERVICE: Record<Stage, 'research' | 'llm' | 'publisher'> = { research: 'research', write: 'llm', publish: 'publisher' };

/** A research task's payload for a topic (the file channel). */
export const researchPayload = (topic: string): ResearchTask => ({ brief: { topic, tone: 'neutral', length: 'short' }, channel: { type: 'file' } });

/** A source as a research handler hands it on. */
export const SOURCE = { title: 'T', url: 'file:///t', snippet: 's', text: 'x' };

export interface SentAlert {
  kind: string;
  severity: string;
  summary: string;
  service: string;
  request_id?: string;
}

/**
 * One worker of `stage` on prefixes of its own (queues, Redis keys), running the test's handler, with the events
 * it publishes collected and, with `alertSink`, its alerts sent to a local webhook: the set-up the libs/runtime
 * component tests share. `close` stops the worker and removes what it made.
 */
export async function startStageWorker<S extends Stage>(opts: {
  label: string;
  stage: S;
  /** The stage's handler, given the worker's dependencies (its breakers, for one). */
  createHandler: (deps: WorkerDeps) => StageHandler<S>;
  settings?: Record<string, string>;
  alertSink?: boolean;
  alerting?: StageAlerting;
}) {
  const id = testId(opts.label);
  const sink: HttpStub | undefined = opts.alertSink ? await startHttpStub(() => ({ status: 204 })) : undefined;
  const config: Config = testConfig(SERVICE[opts.stage], id, {
    ...(sink ? { ALERT_WEBHOOK_URL: `${'http'}://127.0.0.1:${new URL(sink.url).port}/alerts` } : {}),
    ...opts.settings,
  });
  const events = await collectEvents(config.AMQP_PREFIX);
  let worker: RunningWorker;
  try {
    worker = await runWorker({
      service: SERVICE[opts.stage],
      stage: opts.stage,
      config,
      port: 0,
      createHandler: opts.createHandler,
      ...(opts.alerting ? { alerting: opts.alerting } : {}),
    });
    await worker.broker.waitForConnect();
  } catch (err) {
    await events.close();
    await sink?.close();
    throw err;
  }
  return {
    id,
    config,
    worker,
    events,
    /** Publishes a task of the stage, as the previous stage (or the gateway's relay) would. */
    /** `run`: the task of a replay's run (Envelope.run). */
    async submit(payload: TaskPayloads[S], run?: number): Promise<Envelope<TaskPayloads[S]>> {
      const envelope = createEnvelope({ request_id: randomUUID(), user_id: randomUUID(), stage: opts.stage, payload, run });
      await publishTask(worker.broker, envelope);
      return envelope;
    },
    /** What reached the alert sink so far, in order. */
    alerts: (): SentAlert[] => (sink?.requests ?? []).map((r) => (r.json() as { alert: SentAlert }).alert),
    sink,
    async close(): Promise<void> {
      await worker.shutdown.shutdown();
      await events.close();
      await sink?.close();
      await cleanupBroker(id);
      await cleanupRedis(id);
    },
  };
}

export type StageWorker<S extends Stage> = Awaited<ReturnType<typeof startStageWorker<S>>>;
