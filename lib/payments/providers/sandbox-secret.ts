import "server-only";
import { loadSigningKey } from "../../storage/signing-key";

/**
 * The sandbox's webhook signing secret: SANDBOX_WEBHOOK_SECRET when set (several
 * instances sharing one data folder), else 32 random bytes generated once in the data
 * folder, as the storage URL key is. Nobody outside this folder can sign an event the
 * sandbox's webhook route accepts.
 */
export async function sandboxWebhookSecret(config: {
  webhookSecret: string | null;
  secretFile: string;
}): Promise<string> {
  if (config.webhookSecret !== null) return config.webhookSecret;
  const key = await loadSigningKey({ kind: "generated", file: config.secretFile });
  return `whsec_${key.toString("hex")}`;
}
