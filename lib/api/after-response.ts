import "server-only";
import { after } from "next/server";

/**
 * Runs `task` after the response has been sent (Next's `after`, which Vercel keeps the
 * function alive for), so its duration never shows in the answer's timing: a reset
 * request for an address with an account (a mail to send) and one without (nothing to
 * send) then take the same time. Outside a request (a test calling a handler directly)
 * the task runs before returning.
 */
export async function afterResponse(task: () => Promise<void>): Promise<void> {
  try {
    after(task);
  } catch {
    await task();
  }
}
