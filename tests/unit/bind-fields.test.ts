import type { ChangeEvent, SetStateAction } from "react";
import { describe, expect, it } from "vitest";
import { bindFields } from "@/app/_components/bind-fields";

/** A setState stand-in that applies updates the way React does, in order. */
function stateOf<T>(initial: T) {
  let state = initial;
  const setState = (update: SetStateAction<T>) => {
    state = typeof update === "function" ? (update as (prev: T) => T)(state) : update;
  };
  return { get: () => state, setState };
}

const change = (value: string) => ({ target: { value } }) as ChangeEvent<HTMLInputElement>;

describe("bindFields", () => {
  it("gives each control its own value and changes only that field", () => {
    const form = stateOf({ title: "a", description: "b" });
    const bind = bindFields(form.get(), form.setState);
    expect(bind("title").value).toBe("a");
    expect(bind("description").value).toBe("b");
    bind("title").onChange(change("new title"));
    expect(form.get()).toEqual({ title: "new title", description: "b" });
  });

  it("keeps both of two changes made from one render (no stale copy of the fields)", () => {
    const form = stateOf({ title: "a", description: "b" });
    const bind = bindFields(form.get(), form.setState);
    bind("title").onChange(change("x"));
    bind("description").onChange(change("y"));
    expect(form.get()).toEqual({ title: "x", description: "y" });
  });
});
