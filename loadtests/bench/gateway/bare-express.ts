// The baseline of the gateway bench: express 5 answering the same route with a constant 202, nothing else
// (no body parsing, no auth, no database). Run as its own process by gateway-bench.ts; reports its port over IPC.
import express from 'express';

const ACCEPTED = { id: '00000000-0000-4000-8000-000000000000', status: 'queued', topic: 'How do honeybees communicate?' };

const app = express();
app.disable('x-powered-by');
app.post('/v1/requests', (_req, res) => {
  res.status(202).location(`/v1/requests/${ACCEPTED.id}`).json(ACCEPTED);
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
