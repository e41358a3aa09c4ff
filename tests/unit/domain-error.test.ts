import { describe, expect, it, vi } from "vitest";
import { DomainError } from "@/lib/domain-error";

describe("DomainError", () => {
  it("is recognised across copies of its module, as the server's bundles hold several", async () => {
    vi.resetModules();
    const copy = await import("@/lib/domain-error");
    expect(copy.DomainError).not.toBe(DomainError);
    const fromAnotherBundle = new copy.DomainError("server_busy", [{ reason: "database_queue_full" }]);
    expect(fromAnotherBundle instanceof DomainError).toBe(true);
    expect(new DomainError("forbidden") instanceof copy.DomainError).toBe(true);
  });

  it("is not just any error", () => {
    expect(new Error("server_busy") instanceof DomainError).toBe(false);
    expect(Object.assign(new Error("x"), { code: "server_busy" }) instanceof DomainError).toBe(false);
    expect((null as unknown) instanceof DomainError).toBe(false);
    expect(("server_busy" as unknown) instanceof DomainError).toBe(false);
  });
});
