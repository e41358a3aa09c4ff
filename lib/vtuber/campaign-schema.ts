import Joi from "joi";
import { PPM_TOTAL, RARITIES } from "../gacha/types";
import type { CampaignDraft } from "./campaigns";
import type { RateDraft } from "./rate-revisions";

const medals = Joi.number().integer().min(0).max(10_000).required();
const ppm = Joi.number().integer().min(0).max(PPM_TOTAL).required();

/**
 * The builder's document as the API takes it. Ranges are the database's own checks
 * (campaigns_*_range), so a value that passes here is one the table stores.
 */
export const campaignDraftSchema = Joi.object<CampaignDraft>({
  title: Joi.string().trim().min(1).max(100).required(),
  description: Joi.string().allow("").max(5000).default(""),
  startsAt: Joi.string().isoDate().required(),
  endsAt: Joi.string().isoDate().required(),
  singlePriceJpy: Joi.number().integer().min(50).max(1000).default(100),
  tenPriceJpy: Joi.number().integer().min(500).max(10_000).default(1000),
  medals: Joi.object({ N: medals, R: medals, SR: medals, SSR: medals }).default({ N: 10, R: 20, SR: 50, SSR: 100 }),
  items: Joi.array()
    .items(
      Joi.object({
        fileId: Joi.string().guid().required(),
        name: Joi.string().trim().min(1).max(100).required(),
        rarity: Joi.string()
          .valid(...RARITIES)
          .required(),
        regularPpm: ppm,
        guaranteedPpm: ppm,
      }),
    )
    .max(100)
    .default([]),
});

/** Proposed rates for an approved campaign: a weight per existing item and slot. */
export const rateDraftSchema = Joi.object<RateDraft>({
  items: Joi.array()
    .items(
      Joi.object({
        itemId: Joi.string().guid().required(),
        regularPpm: ppm,
        guaranteedPpm: ppm,
      }),
    )
    .max(100)
    .required(),
});
