import { describe, expect, it } from "vitest";
import { djangoStacks } from "./_stacks.js";

describe("the Django stacks the parity tests run against", () => {
  const stacks = djangoStacks(["rest_framework_simplejwt"], "the stack probe");
  it.each(stacks.map((stack) => [stack.name, stack] as const))("%s imports Django, DRF and simplejwt at its releases", (_name, stack) => {
    const expected = stack.name === "debian" ? { django: "3.2", drf: "3.14", simplejwt: "5.2" } : { django: "4.2", drf: "3.17", simplejwt: "5.5.1" };
    expect(stack.versions.django.startsWith(expected.django)).toBe(true);
    expect(stack.versions.drf.startsWith(expected.drf)).toBe(true);
    expect(stack.versions.simplejwt?.startsWith(expected.simplejwt)).toBe(true);
  });
});
