// Types for the standalone verifier, so the tests can call it; the script itself stays plain JavaScript.
export const REJECTION_BOUND: number;
export function drawValue(seed: Uint8Array, clientSeed: string, nonce: number, slot: number): number;
export function parseTable(
  text: string,
): Record<"regular" | "guaranteed", { itemId: string; rarity: string; upper: number }[]>;
export interface PullToVerify {
  /** The revealed server seed, 64 hex digits. */
  seed: string;
  clientSeed: string;
  nonce: number;
  count: number;
  tableText: string;
  tableHash: string;
  seedHash?: string;
  expect?: string[];
}
export function verifyPull(pull: PullToVerify): {
  ok: boolean;
  results: { slot: number; r: number; itemId: string; rarity: string }[];
  reason: string | null;
};
