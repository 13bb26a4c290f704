export { createBroker, BrokerUnavailableError, type Broker, type BrokerOptions, type Delivery, type DeliveryHandler } from './broker.ts';
export { topologyNames, declareEventsQueue, type TopologyNames } from './topology.ts';
export { delayLevels, scheduleRetry, type RetryPolicy } from './retry-policy.ts';
export { createEnvelope, derivedMessageId, parseEnvelope, parseEvent } from './envelope.ts';
export { publishTask, publishEvent, publishDeadLetter, publishDelayed, moveDelivery, taskProperties, InvalidMessageError } from './publishers.ts';
export { consumeStage, type StageHandler, type StageOutcome, type DedupeStore, type CancelWatch } from './stage-consumer.ts';
