import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const css = readFileSync(join(import.meta.dirname, "../src/styles.css"), "utf8");

/** The custom properties declared in the rule whose selector is exactly `selector`. */
function customProperties(selector: string): Map<string, string> {
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const rule = new RegExp(`(?:^|\\n)${escaped}\\s*\\{([^}]*)\\}`).exec(css);
  if (!rule?.[1]) throw new Error(`styles.css has no rule "${selector}"`);
  const props = new Map<string, string>();
  for (const [, name, value] of rule[1].matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)) {
    props.set(name as string, (value as string).trim());
  }
  return props;
}

/** WCAG 2 relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const match = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!match?.[1]) throw new Error(`not a #rrggbb colour: ${hex}`);
  const digits = match[1];
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = Number.parseInt(digits.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two colours, 1 to 21. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const light = customProperties(":root");
// The dark theme overrides some properties and inherits the rest.
const dark = new Map([...light, ...customProperties(':root[data-theme="dark"]')]);
const themes = { light, dark };

describe("the colour themes of styles.css", () => {
  it("draw focus with the --focus-ring property", () => {
    expect(css).toMatch(/:focus-visible\s*\{[^}]*outline:\s*3px solid var\(--focus-ring\)/);
  });

  it.each(Object.entries(themes))(
    "%s: the focus ring has at least 3:1 against every background it sits on",
    (_, vars) => {
      const ring = vars.get("--focus-ring") as string;
      for (const background of ["--bg", "--surface", "--accent-bg", "--info-bg"]) {
        const ratio = contrast(ring, vars.get(background) as string);
        expect(ratio, `${ring} on ${background} ${vars.get(background)}`).toBeGreaterThanOrEqual(3);
      }
    },
  );

  it.each(Object.entries(themes))(
    "%s: JSON tokens and text read at 4.5:1 on the value's background",
    (_, vars) => {
      for (const token of [
        "--text",
        "--muted",
        "--json-key",
        "--json-string",
        "--json-number",
        "--json-boolean",
        "--json-null",
        "--json-punct",
      ]) {
        const ratio = contrast(vars.get(token) as string, vars.get("--bg") as string);
        expect(ratio, `${token} ${vars.get(token)}`).toBeGreaterThanOrEqual(4.5);
      }
    },
  );

  it("computes the WCAG ratio of known pairs", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
    expect(contrast("#ff9f1c", "#f7f8fa")).toBeLessThan(3);
  });
});
