import type { ReactNode } from "react";

interface Props {
  /** The control's id: the label points at it, and the hint's id is `${id}-hint`. */
  id: string;
  label: string;
  /** The required marker's text ("必須"), shown after the label when given. */
  required?: string;
  /** Help under the control; give the control `aria-describedby={`${id}-hint`}`. */
  hint?: string;
  /** `notice` sets the hint apart as something to read before filling in. @default "hint" */
  hintStyle?: "hint" | "notice";
  /** The control itself. */
  children: ReactNode;
}

/** A labelled form control with its required marker and help text, as every form shows them. */
export function FormField({ id, label, required, hint, hintStyle = "hint", children }: Props) {
  return (
    <div className="form-field">
      <label htmlFor={id}>
        {label}
        {required && (
          <>
            {" "}
            <span className="form-field__required">{required}</span>
          </>
        )}
      </label>
      {children}
      {hint && (
        <p id={`${id}-hint`} className={hintStyle === "notice" ? "form-notice" : "form-field__hint"}>
          {hint}
        </p>
      )}
    </div>
  );
}
