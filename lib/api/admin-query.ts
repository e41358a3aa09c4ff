import Joi from "joi";
import { UUID_PATTERN } from "../ids";
import { validate } from "./body";

/** Query parameters of the admin lists: each optional, strict (an unknown one is 400). */
export const uuidParam = Joi.string().pattern(UUID_PATTERN, "uuid");
/** An ISO 8601 instant (`2026-12-01T00:00:00+09:00`); a date alone means its UTC midnight. */
export const instantParam = Joi.string().isoDate();

export function readQuery<T>(request: Request, schema: Joi.ObjectSchema<T>): T {
  return validate(schema, Object.fromEntries(new URL(request.url).searchParams));
}

export function instant(value: string | undefined): Date | null {
  return value === undefined ? null : new Date(value);
}
