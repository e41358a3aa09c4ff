import Joi from "joi";
import type { ExchangeItemDraft } from "./exchange-items";

const fields = {
  name: Joi.string().trim().min(1).max(100).required(),
  description: Joi.string().allow("").max(2000).default(""),
  // The database's own ranges (exchange_items_*).
  costMedals: Joi.number().integer().min(1).max(1_000_000).required(),
  perUserLimit: Joi.number().integer().min(1).max(1_000_000).allow(null).default(1),
  availableFrom: Joi.string().isoDate().allow(null).default(null),
  availableUntil: Joi.string().isoDate().allow(null).default(null),
};

export const newExchangeItemSchema = Joi.object<ExchangeItemDraft>({
  ...fields,
  fileId: Joi.string().guid().required(),
  stock: Joi.number().integer().min(0).max(1_000_000).allow(null).default(null),
});

export const exchangeItemEditSchema = Joi.object<Omit<ExchangeItemDraft, "fileId" | "stock">>(fields);
