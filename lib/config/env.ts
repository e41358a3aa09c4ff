/**
 * Reading settings out of the environment: every section declares the variables it reads
 * as a Joi schema and gets them back validated, converted and typed.
 */
import Joi from "joi";

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** A section's variables. Other variables pass through: each section sees the whole environment. */
export function envSchema<T>(keys: Joi.SchemaMap<T>): Joi.ObjectSchema<T> {
  return Joi.object<T>(keys).unknown(true);
}

/** On/off switches: `1`, `yes`, `on`, `true` and `0`, `no`, `off`, `false`, empty. */
export const flag = Joi.boolean().truthy("1", "yes", "on").falsy("0", "no", "off", "");

/** The variables of `schema`, validated; throws a `ConfigError` naming every bad one. */
export function readEnv<T>(schema: Joi.ObjectSchema<T>, env: Env): T {
  const { value, error } = schema.validate(env, { abortEarly: false, convert: true });
  if (error) throw invalidSettings(error.details.map((d) => d.message));
  return value;
}

/** Checks every section's variables at once, so one start reports every problem, not the first. */
export function assertValidEnv(schemas: readonly Joi.ObjectSchema[], env: Env): void {
  const problems = schemas.flatMap(
    (schema) => schema.validate(env, { abortEarly: false }).error?.details.map((d) => d.message) ?? [],
  );
  if (problems.length > 0) throw invalidSettings(problems);
}

function invalidSettings(problems: string[]): ConfigError {
  return new ConfigError(`Invalid settings: ${problems.join("; ")}. See .env.example.`);
}

/** Both or neither: half a credential pair is a mistake, never a mode. */
export function assertTogether<T>(values: T, a: keyof T & string, b: keyof T & string): void {
  if (Boolean(values[a]) !== Boolean(values[b])) {
    throw new ConfigError(`Set ${a} and ${b} together. See .env.example.`);
  }
}
