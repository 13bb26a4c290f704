import { createTransport } from 'nodemailer';
import { alertText, emailSubject } from '../format-alert.ts';
import type { AlertSink } from './sink.ts';

/**
 * Email over SMTP. `SMTP_URL` carries host, port, credentials and TLS (`smtps://` or STARTTLS when offered).
 * Timeouts are short because a mail server that does not answer in seconds will not answer in minutes either,
 * and the delivery queue retries anyway.
 */
export function createEmailSink(deps: { smtpUrl: string; to: string; from: string; timeoutMs?: number }): AlertSink {
  const timeout = deps.timeoutMs ?? 5000;
  const transport = createTransport({ url: deps.smtpUrl, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout * 2 });
  return {
    name: 'email',
    async send(alert, signal) {
      await transport.sendMail({ from: deps.from, to: deps.to, subject: emailSubject(alert), text: alertText(alert), signal });
    },
    close() {
      transport.close();
    },
  };
}
