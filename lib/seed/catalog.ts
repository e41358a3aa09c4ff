/**
 * The demo catalog: three fictional VTubers, each with one active campaign, its items
 * (voice clips, images and one short video) and three exchange items (one cheap enough
 * for the medals of a single 10-pull). Everything here is made up for the demo.
 */
import type { Queryable } from "../db/types";
import type { Rgb } from "./media";

export type Rarity = "N" | "R" | "SR" | "SSR";

export interface DemoItem {
  name: string;
  rarity: Rarity;
  kind: "voice" | "image" | "video";
  /** Tone pitch for voice clips. */
  frequencyHz?: number;
}

export interface DemoVtuber {
  slug: string;
  name: string;
  bio: string;
  email: string;
  colours: readonly [Rgb, Rgb];
  campaign: { title: string; description: string };
  items: DemoItem[];
  exchange: {
    name: string;
    kind: "voice" | "image";
    description: string;
    costMedals: number;
    stock: number | null;
    perUserLimit: number | null;
  }[];
}

const ITEMS = (prefix: string, base: number): DemoItem[] => [
  { name: `${prefix} おはようボイス`, rarity: "N", kind: "voice", frequencyHz: base },
  { name: `${prefix} おやすみボイス`, rarity: "N", kind: "voice", frequencyHz: base * 1.125 },
  { name: `${prefix} 応援ボイス`, rarity: "N", kind: "voice", frequencyHz: base * 1.25 },
  { name: `${prefix} 日常イラスト`, rarity: "R", kind: "image" },
  { name: `${prefix} 名前呼びボイス`, rarity: "R", kind: "voice", frequencyHz: base * 1.333 },
  { name: `${prefix} 記念ムービー`, rarity: "SR", kind: "video" },
  { name: `${prefix} 囁きボイス`, rarity: "SR", kind: "voice", frequencyHz: base * 1.5 },
  { name: `${prefix} 特別ボイス`, rarity: "SSR", kind: "voice", frequencyHz: base * 2 },
];

export const DEMO_VTUBERS: DemoVtuber[] = [
  {
    slug: "hoshino-mio",
    name: "星野ミオ",
    bio: "歌と朝の挨拶が得意な星空系VTuber。<strong>毎朝7時</strong>に配信中。",
    email: "mio@demo.koepon.test",
    colours: [
      [58, 72, 160],
      [236, 180, 220],
    ],
    campaign: {
      title: "星降る夜のボイスガチャ",
      description: "ミオの書き下ろしボイスとイラストが当たるガチャです。10連の10枚目はSR以上確定！",
    },
    items: ITEMS("ミオ", 440),
    exchange: [
      {
        name: "ミオ ひとことボイス",
        kind: "voice",
        description: "10連1回分の推しメダルで交換できる、短いひとことボイスです。",
        costMedals: 100,
        stock: null,
        perUserLimit: 1,
      },
      {
        name: "ミオ 限定ボイス「ありがとう」",
        kind: "voice",
        description: "推しメダル交換限定のボイスです。",
        costMedals: 500,
        stock: null,
        perUserLimit: 1,
      },
      {
        name: "ミオ 限定壁紙",
        kind: "image",
        description: "数量限定の壁紙イラスト。",
        costMedals: 300,
        stock: 100,
        perUserLimit: 1,
      },
    ],
  },
  {
    slug: "tsukishiro-ren",
    name: "月城レン",
    bio: "ゲーム実況と低音ボイスの月夜系VTuber。",
    email: "ren@demo.koepon.test",
    colours: [
      [20, 30, 60],
      [120, 200, 255],
    ],
    campaign: {
      title: "月夜のささやきガチャ",
      description: "レンの低音ボイスが詰まったガチャ。SSRは完全新録の特別ボイス。",
    },
    items: ITEMS("レン", 330),
    exchange: [
      {
        name: "レン ひとことボイス",
        kind: "voice",
        description: "10連1回分の推しメダルで交換できる、短いひとことボイスです。",
        costMedals: 100,
        stock: null,
        perUserLimit: 1,
      },
      {
        name: "レン 限定ボイス「おつかれさま」",
        kind: "voice",
        description: "推しメダル交換限定のボイスです。",
        costMedals: 500,
        stock: null,
        perUserLimit: 1,
      },
      {
        name: "レン 限定壁紙",
        kind: "image",
        description: "数量限定の壁紙イラスト。",
        costMedals: 300,
        stock: 100,
        perUserLimit: 1,
      },
    ],
  },
  {
    slug: "hanasaki-yui",
    name: "花咲ユイ",
    bio: "お花とお菓子が大好きな春色VTuber。",
    email: "yui@demo.koepon.test",
    colours: [
      [250, 200, 120],
      [240, 110, 150],
    ],
    campaign: {
      title: "春色おかしガチャ",
      description: "ユイの甘いボイスと春色イラストのガチャです。",
    },
    items: ITEMS("ユイ", 523),
    exchange: [
      {
        name: "ユイ ひとことボイス",
        kind: "voice",
        description: "10連1回分の推しメダルで交換できる、短いひとことボイスです。",
        costMedals: 100,
        stock: null,
        perUserLimit: 1,
      },
      {
        name: "ユイ 限定ボイス「だいすき」",
        kind: "voice",
        description: "推しメダル交換限定のボイスです。",
        costMedals: 500,
        stock: null,
        perUserLimit: 1,
      },
      {
        name: "ユイ 限定壁紙",
        kind: "image",
        description: "数量限定の壁紙イラスト。",
        costMedals: 300,
        stock: 100,
        perUserLimit: 1,
      },
    ],
  },
];

/**
 * Weights in ppm by rarity, split evenly over that rarity's items (the first items
 * take the remainder), so both tables sum to exactly 1,000,000 and the guaranteed
 * slot keeps the SSR rate of the regular table.
 */
export const DEMO_RATES: Record<"regular" | "guaranteed", Partial<Record<Rarity, number>>> = {
  regular: { N: 700_000, R: 220_000, SR: 70_000, SSR: 10_000 },
  guaranteed: { SR: 990_000, SSR: 10_000 },
};

export function splitWeights(total: number, count: number): number[] {
  const base = Math.floor(total / count);
  const remainder = total - base * count;
  return Array.from({ length: count }, (_, i) => base + (i < remainder ? 1 : 0));
}

/**
 * A version-1 draft rate table of a demo campaign: DEMO_RATES split evenly over the
 * items of each rarity. Returns the table's id; approval is the caller's step.
 */
export async function insertDemoRateTable(
  tx: Queryable,
  campaignId: string,
  items: readonly { id: string; rarity: string }[],
): Promise<string> {
  const [table] = await tx.query<{ id: string }>(
    "insert into public.rate_tables (campaign_id, version) values ($1, 1) returning id",
    [campaignId],
  );
  for (const slot of ["regular", "guaranteed"] as const) {
    for (const [rarity, total] of Object.entries(DEMO_RATES[slot])) {
      const ofRarity = items.filter((i) => i.rarity === rarity);
      const weights = splitWeights(total, ofRarity.length);
      for (const [i, item] of ofRarity.entries()) {
        await tx.query(
          "insert into public.rate_table_entries (rate_table_id, slot, item_id, rarity, weight_ppm) values ($1, $2, $3, $4, $5)",
          [table!.id, slot, item.id, rarity, weights[i]],
        );
      }
    }
  }
  return table!.id;
}
