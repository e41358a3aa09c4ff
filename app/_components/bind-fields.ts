"use client";

import type { ChangeEvent, Dispatch, SetStateAction } from "react";

type TextControl = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/**
 * Binds a form's text controls to one state object: `{...bind("title")}` gives the
 * control its value and an onChange that replaces that one field, so a form does not
 * repeat `onChange={(e) => setFields({ ...fields, title: e.target.value })}` per control.
 * The update reads the current state, so two quick changes never overwrite each other.
 */
export function bindFields<T extends Record<string, string>>(fields: T, setFields: Dispatch<SetStateAction<T>>) {
  return <K extends keyof T & string>(key: K) => ({
    value: fields[key],
    onChange: (e: ChangeEvent<TextControl>) => {
      const value = e.target.value;
      setFields((current) => ({ ...current, [key]: value }));
    },
  });
}
