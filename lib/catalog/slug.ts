/** A VTuber slug as the `vtubers_slug_format` constraint allows it; anything else cannot exist. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/;
