import { startHttpStub, type RecordedRequest, type StubReply } from '@pressroom/test-support';

/**
 * An HTTP stub that takes `delayMs` over every answer (a slow provider) and knows how many calls it is still
 * holding, so a test can kill the calling worker while calls are provably in flight.
 */
export async function startSlowStub(delayMs: number, reply: (req: RecordedRequest) => StubReply) {
  let held = 0;
  const stub = await startHttpStub(async (req) => {
    held++;
    try {
      await new Promise((r) => setTimeout(r, delayMs));
      return reply(req);
    } finally {
      held--;
    }
  });
  return { ...stub, held: () => held };
}
