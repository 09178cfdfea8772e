import type { FastifyBaseLogger } from "fastify";
import nodemailer from "nodemailer";

interface PasswordResetMail {
  to: string;
  name: string;
  /** The web app's reset page with the token: whoever holds it can set the account's password. */
  link: string;
}

export interface Mailer {
  /**
   * Queues the mail and returns at once: a request that waited for the mail server would answer a
   * known address slower than an unknown one, and the answer must not tell them apart.
   */
  sendPasswordReset(mail: PasswordResetMail): void;
  /** Waits for the mail still being sent, then closes the connection to the mail server. */
  close(): Promise<void>;
}

export interface MailerSettings {
  /** smtp:// or smtps://; null: no mail server, the link goes to the log for whoever runs the server. */
  smtpUrl: string | null;
  appName: string;
  publicUrl: string;
  log: FastifyBaseLogger;
}

function resetText(name: string, link: string, appName: string): string {
  return [
    `Hello ${name},`,
    "",
    `Someone (hopefully you) asked to reset the password of your ${appName} account. To choose a new`,
    "password, open this link within the hour:",
    "",
    link,
    "",
    "If you did not ask, ignore this mail: your password stays as it is.",
  ].join("\n");
}

export function createMailer({ smtpUrl, appName, publicUrl, log }: MailerSettings): Mailer {
  if (smtpUrl === null) {
    return {
      sendPasswordReset({ to, link }) {
        log.warn({ to, link }, "SMTP_URL is not set: password-reset link written here instead of mailed");
      },
      close: async () => {},
    };
  }
  const transport = nodemailer.createTransport(smtpUrl);
  const from = `${appName} <no-reply@${new URL(publicUrl).hostname}>`;
  const sending = new Set<Promise<unknown>>();
  return {
    sendPasswordReset({ to, name, link }) {
      const sent = transport
        .sendMail({ from, to, subject: `Reset your ${appName} password`, text: resetText(name, link, appName) })
        .then(
          () => log.info({ to }, "password-reset mail sent"),
          // The link is a credential: the failure is logged without it.
          (error: Error & { code?: string }) => log.error({ to, code: error.code, err: error.message }, "password-reset mail failed"),
        )
        .finally(() => sending.delete(sent));
      sending.add(sent);
    },
    async close() {
      await Promise.allSettled([...sending]);
      transport.close();
    },
  };
}
