/** Where a release goes: two colours behind one production address. */
export type Colour = "blue" | "green";

export const otherColour = (colour: Colour): Colour => (colour === "blue" ? "green" : "blue");

export interface Deployment {
  colour: Colour;
  releaseId: string;
  /** The colour's own address, reachable before it takes traffic. */
  url: string;
}

export interface ReleaseTarget {
  readonly name: string;
  /** The address fans use. */
  readonly productionUrl: string;
  /** Headers that let smoke tests reach a deployment that takes no traffic yet. */
  readonly bypassHeaders: Record<string, string>;
  /** What serves production now (null before the first release), and the idle colour's deployment, if any. */
  state(): Promise<{ serving: Deployment | null; standby: Deployment | null }>;
  /** Deploys `releaseId` to `colour` (replacing what was there) and waits until it answers. */
  deploy(colour: Colour, releaseId: string): Promise<Deployment>;
  /** Sends all new production traffic to `colour`, letting requests in flight finish; the other colour stays as the instant rollback. */
  switchTo(colour: Colour): Promise<void>;
  /** Takes a colour out (a green that failed its checks). */
  discard(colour: Colour): Promise<void>;
  /** Traffic figures of one colour since the target started (requests answered, 5xx among them). */
  traffic(colour: Colour): Promise<{ requests: number; errors5xx: number } | null>;
}
