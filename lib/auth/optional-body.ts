import "server-only";
import type Joi from "joi";
import { readJsonBody, validate } from "../api/body";
import { ApiError } from "../api/errors";

/**
 * For routes a browser calls with no body at all (refresh, logout: the cookie is the
 * input) that API clients may call with a JSON body. No body → null; a body must be
 * JSON and pass `schema` as strictly as any other.
 */
export async function readOptionalJsonBody<T>(request: Request, schema: Joi.Schema<T>): Promise<T | null> {
  if (request.headers.get("content-type") === null) {
    if (request.body === null || request.headers.get("content-length") === "0") return null;
    throw new ApiError("unsupported_media_type");
  }
  return validate(schema, await readJsonBody(request));
}
