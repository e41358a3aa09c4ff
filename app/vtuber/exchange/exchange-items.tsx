"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ApiErrorAlert } from "@/app/_components/api-error-alert";
import { bindFields } from "@/app/_components/bind-fields";
import { FormField } from "@/app/_components/form-field";
import { useApiSubmit } from "@/app/_components/use-api-submit";
import { vtuberMessagesFor } from "@/lib/i18n/dictionaries/vtuber";
import type { Locale } from "@/lib/i18n/locales";
import type { ConsoleExchangeItem } from "@/lib/vtuber/exchange-items";

interface Props {
  items: ConsoleExchangeItem[];
  files: { id: string; title: string }[];
  locale: Locale;
}

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
const toJstInput = (iso: string | null) =>
  iso ? new Date(Date.parse(iso) + JST_OFFSET_MS).toISOString().slice(0, 16) : "";
const fromJstInput = (value: string) => (value ? `${value}:00+09:00` : null);
const countOrNull = (value: string) => (value.trim() === "" ? null : Number(value));
/** A live item leaves the exchange when edited; one in review waits for its decision. */
const EDITABLE = new Set(["draft", "rejected", "active"]);
const SUBMITTABLE = new Set(["draft", "rejected"]);

/** The list of the caller's exchange items, with one form for a new item or the one being edited. */
export function ExchangeItems({ items, files, locale }: Props) {
  const t = vtuberMessagesFor(locale).exchange;
  const router = useRouter();
  const [editing, setEditing] = useState<ConsoleExchangeItem | null>(null);
  const { pending, error, submit } = useApiSubmit();
  const [notice, setNotice] = useState("");

  async function sendToReview(item: ConsoleExchangeItem) {
    setNotice("");
    if (await submit(`/api/vtuber/exchange-items/${item.id}/submit`, { method: "POST" })) {
      setNotice(t.submitted);
      router.refresh();
    }
  }

  return (
    <>
      <section className="panel" aria-labelledby="exchange-list">
        <h2 id="exchange-list">{t.title}</h2>
        {items.length === 0 ? (
          <p>{t.empty}</p>
        ) : (
          <ul className="console-list" data-testid="exchange-items">
            {items.map((item) => (
              <li key={item.id} data-item-id={item.id}>
                <strong>{item.name}</strong>
                <span className={`console-status console-status--${item.status}`} data-status={item.status}>
                  {t.statusNames[item.status]}
                </span>
                <span className="note">
                  {t.cost}: {item.costMedals} / {t.stock}: {item.stock ?? t.unlimited}
                </span>
                {item.reviewNote && (
                  <p className="console-note" data-testid="exchange-review-note">
                    {t.reviewNote}: {item.reviewNote}
                  </p>
                )}
                <span className="button-row">
                  {EDITABLE.has(item.status) && (
                    <button
                      type="button"
                      className="button button--secondary button--small"
                      onClick={() => setEditing(item)}
                    >
                      {t.edit}
                      <span className="visually-hidden">: {item.name}</span>
                    </button>
                  )}
                  {SUBMITTABLE.has(item.status) && (
                    <button
                      type="button"
                      className="button button--small"
                      disabled={pending}
                      onClick={() => void sendToReview(item)}
                    >
                      {t.submit}
                      <span className="visually-hidden">: {item.name}</span>
                    </button>
                  )}
                </span>
              </li>
            ))}
          </ul>
        )}
        <div aria-live="polite" data-testid="exchange-list-notice">
          {notice}
        </div>
        <ApiErrorAlert id="exchange-list-error" error={error} />
      </section>
      <ExchangeItemForm
        key={editing?.id ?? "new"}
        item={editing}
        files={files}
        locale={locale}
        onDone={() => {
          setEditing(null);
          router.refresh();
        }}
      />
    </>
  );
}

function ExchangeItemForm({
  item,
  files,
  locale,
  onDone,
}: {
  item: ConsoleExchangeItem | null;
  files: { id: string; title: string }[];
  locale: Locale;
  onDone: () => void;
}) {
  const t = vtuberMessagesFor(locale).exchange;
  const [fields, setFields] = useState({
    fileId: item?.fileId ?? files[0]?.id ?? "",
    name: item?.name ?? "",
    description: item?.description ?? "",
    costMedals: String(item?.costMedals ?? 100),
    stock: item?.stock === null || item?.stock === undefined ? "" : String(item.stock),
    perUserLimit: item ? (item.perUserLimit === null ? "" : String(item.perUserLimit)) : "1",
    availableFrom: toJstInput(item?.availableFrom ?? null),
    availableUntil: toJstInput(item?.availableUntil ?? null),
  });
  const field = bindFields(fields, setFields);
  const { pending, error, result, submit } = useApiSubmit();

  async function save(event: FormEvent) {
    event.preventDefault();
    const body = {
      name: fields.name.trim(),
      description: fields.description,
      costMedals: Number(fields.costMedals),
      perUserLimit: countOrNull(fields.perUserLimit),
      availableFrom: fromJstInput(fields.availableFrom),
      availableUntil: fromJstInput(fields.availableUntil),
    };
    const saved = item
      ? await submit(`/api/vtuber/exchange-items/${item.id}`, { method: "PUT", body })
      : await submit("/api/vtuber/exchange-items", {
          method: "POST",
          body: { ...body, fileId: fields.fileId, stock: countOrNull(fields.stock) },
        });
    if (saved) onDone();
  }

  const prefix = item ? `exchange-edit` : "exchange-new";
  return (
    <form
      className="panel"
      onSubmit={(e) => void save(e)}
      aria-labelledby={`${prefix}-heading`}
      aria-describedby={`${prefix}-error`}
      data-testid="exchange-form"
    >
      <h2 id={`${prefix}-heading`}>{item ? t.editHeading(item.name) : t.newHeading}</h2>
      {!item && files.length === 0 ? (
        <p>{t.noFiles}</p>
      ) : (
        <>
          {!item && (
            <FormField id={`${prefix}-file`} label={t.file}>
              <select id={`${prefix}-file`} required {...field("fileId")}>
                {files.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.title}
                  </option>
                ))}
              </select>
            </FormField>
          )}
          <FormField id={`${prefix}-name`} label={t.name}>
            <input id={`${prefix}-name`} maxLength={100} required {...field("name")} />
          </FormField>
          <FormField id={`${prefix}-description`} label={t.description}>
            <textarea id={`${prefix}-description`} rows={3} maxLength={2000} {...field("description")} />
          </FormField>
          <div className="console-row">
            <FormField id={`${prefix}-cost`} label={t.cost}>
              <input id={`${prefix}-cost`} inputMode="numeric" required {...field("costMedals")} />
            </FormField>
            {item ? (
              <p className="note">{t.stockFixed}</p>
            ) : (
              <FormField id={`${prefix}-stock`} label={t.stock}>
                <input id={`${prefix}-stock`} inputMode="numeric" {...field("stock")} />
              </FormField>
            )}
            <FormField id={`${prefix}-limit`} label={t.perUserLimit}>
              <input id={`${prefix}-limit`} inputMode="numeric" {...field("perUserLimit")} />
            </FormField>
          </div>
          <div className="console-row">
            <FormField id={`${prefix}-from`} label={t.from}>
              <input id={`${prefix}-from`} type="datetime-local" {...field("availableFrom")} />
            </FormField>
            <FormField id={`${prefix}-until`} label={t.until}>
              <input id={`${prefix}-until`} type="datetime-local" {...field("availableUntil")} />
            </FormField>
          </div>
          <div aria-live="polite">{result && !pending ? t.saved : ""}</div>
          <ApiErrorAlert
            id={`${prefix}-error`}
            error={error}
            fieldNames={{
              fileId: t.file,
              name: t.name,
              description: t.description,
              costMedals: t.cost,
              stock: t.stock,
              perUserLimit: t.perUserLimit,
              availableFrom: t.from,
              availableUntil: t.until,
            }}
          />
          <div className="button-row">
            <button type="submit" className="button" disabled={pending}>
              {pending ? t.saving : item ? t.save : t.create}
            </button>
            {item && (
              <button type="button" className="button button--secondary" onClick={onDone}>
                {t.cancel}
              </button>
            )}
          </div>
        </>
      )}
    </form>
  );
}
