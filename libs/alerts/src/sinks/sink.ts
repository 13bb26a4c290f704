import type { OutgoingAlert } from '../alert.ts';

/** One way of telling a person. `send` rejects on failure; the delivery queue owns retrying. */
export interface AlertSink {
  name: string;
  send(alert: OutgoingAlert, signal: AbortSignal): Promise<void>;
  close?(): Promise<void> | void;
}
