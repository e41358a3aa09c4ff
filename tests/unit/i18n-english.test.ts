/**
 * The English pass: every English string of every dictionary, and every English sentence
 * of the API's error table, is English. A string left in Japanese (or copied from the
 * Japanese side) fails here, with its path, before a fan ever sees it.
 */
import { describe, expect, it } from "vitest";
import { API_ERRORS } from "@/lib/api/errors";
import { accountMessagesFor } from "@/lib/i18n/dictionaries/account";
import { en } from "@/lib/i18n/dictionaries/en";
import { errorMessages } from "@/lib/i18n/dictionaries/error-messages";
import { gachaMessagesFor } from "@/lib/i18n/dictionaries/gacha";
import { historyMessagesFor } from "@/lib/i18n/dictionaries/history";
import { observedMessagesFor } from "@/lib/i18n/dictionaries/observed";
import { ja } from "@/lib/i18n/dictionaries/ja";
import { medalsMessagesFor } from "@/lib/i18n/dictionaries/medals";
import { rewardsMessagesFor } from "@/lib/i18n/dictionaries/rewards";

/** Hiragana, katakana, CJK ideographs and full-width forms. */
const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60]/u;

/**
 * Japanese that belongs on English pages: the switch back to Japanese is written in
 * Japanese, and the legal disclosure's title names the Japanese act it answers.
 */
const ALLOWED = ["日本語", "特定商取引法に基づく表記", "こえポン！"];

/** Every string in a dictionary, with its path; functions are called with sample arguments. */
function strings(value: unknown, path: string): [string, string][] {
  if (typeof value === "string") return [[path, value]];
  if (typeof value === "function") {
    const args = Array.from({ length: value.length }, (_, i) => (i % 2 === 0 ? "X" : 2));
    return strings(value(...args), `${path}()`);
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}.${k}`));
  }
  return [];
}

const DICTIONARIES: [name: string, japanese: unknown, english: unknown][] = [
  ["messages", ja, en],
  ["account", accountMessagesFor("ja"), accountMessagesFor("en")],
  ["gacha", gachaMessagesFor("ja"), gachaMessagesFor("en")],
  ["rewards", rewardsMessagesFor("ja"), rewardsMessagesFor("en")],
  ["medals", medalsMessagesFor("ja"), medalsMessagesFor("en")],
  ["history", historyMessagesFor("ja"), historyMessagesFor("en")],
  ["observed", observedMessagesFor("ja"), observedMessagesFor("en")],
  ["error page", errorMessages.ja, errorMessages.en],
];

function withoutAllowed(text: string): string {
  return ALLOWED.reduce((rest, allowed) => rest.replaceAll(allowed, ""), text);
}

describe("English pass", () => {
  it.each(DICTIONARIES)("the %s dictionary has no Japanese left in English", (name, _ja, english) => {
    const leftovers = strings(english, name).filter(([, text]) => JAPANESE.test(withoutAllowed(text)));
    expect(leftovers).toEqual([]);
  });

  it.each(DICTIONARIES)("the %s dictionary translates every Japanese string", (name, japanese, english) => {
    const jaStrings = strings(japanese, name);
    const enStrings = new Map(strings(english, name));
    expect(jaStrings.map(([path]) => path).filter((path) => !enStrings.has(path))).toEqual([]);
    // A Japanese sentence copied over unchanged would pass the check above only if it had no
    // Japanese in it: identical non-empty strings are fine (prices, symbols), but not prose.
    const copied = jaStrings.filter(([path, text]) => JAPANESE.test(text) && enStrings.get(path) === text);
    expect(copied.map(([path]) => path).filter((path) => !ALLOWED.includes(enStrings.get(path)!))).toEqual([]);
  });

  it("every API error has an English sentence", () => {
    const bad = Object.entries(API_ERRORS).filter(
      ([, error]) => !error.en || JAPANESE.test(error.en) || !/[.!?]$/.test(error.en),
    );
    expect(bad.map(([code]) => code)).toEqual([]);
  });
});
