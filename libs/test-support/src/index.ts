export { BASE_URLS, testId, testEnv, testConfig, databaseUrl } from './test-env.ts';
export { assertInfrastructure, createDatabase, dropDatabase, cleanupBroker, cleanupRedis } from './infrastructure.ts';
export { startHttpStub, type HttpStub, type RecordedRequest, type StubReply } from './http-stub.ts';
export { collectEvents } from './event-collector.ts';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';
export { freePort } from './free-port.ts';
export { pollUntil } from './poll.ts';
export { clearPolicy, createVhosts, deleteVhosts, setQueuePolicy, vhostUrl } from './vhosts.ts';
export { gzipBomb } from './gzip-bomb.ts';
