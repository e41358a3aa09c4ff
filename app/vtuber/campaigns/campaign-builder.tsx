"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ApiErrorAlert } from "@/app/_components/api-error-alert";
import { bindFields } from "@/app/_components/bind-fields";
import { FormField } from "@/app/_components/form-field";
import { OddsSlotTables } from "@/app/_components/odds-slot-tables";
import { ApiClientError, apiFetch } from "@/lib/client/api";
import { computeOdds } from "@/lib/gacha/odds";
import { lintRateTable, percentToPpm, ppmToPercent, previewTable, type DraftItemRates } from "@/lib/gacha/rate-lint";
import { RARITIES, type Rarity } from "@/lib/gacha/types";
import { gachaMessagesFor } from "@/lib/i18n/dictionaries/gacha";
import { vtuberMessagesFor } from "@/lib/i18n/dictionaries/vtuber";
import type { Locale } from "@/lib/i18n/locales";
import type { ConsoleCampaign } from "@/lib/vtuber/campaigns";
import type { LibraryFile } from "@/lib/vtuber/library";

interface Props {
  campaign: ConsoleCampaign | null;
  files: LibraryFile[];
  locale: Locale;
  /** Where a new campaign's window starts out (ISO 8601). */
  defaultWindow: { startsAt: string; endsAt: string };
}

interface Row {
  /** The saved gacha item's id, or a key of this page's own until saved. */
  key: string;
  fileId: string;
  name: string;
  rarity: Rarity;
  regular: string;
  guaranteed: string;
}

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
/** An instant as the value of a datetime-local input in Japan time. */
const toJstInput = (iso: string) => new Date(Date.parse(iso) + JST_OFFSET_MS).toISOString().slice(0, 16);
/** A datetime-local value read as Japan time, as ISO 8601 with its offset. */
const fromJstInput = (value: string) => `${value}:00+09:00`;
const ppmOf = (text: string) => (text.trim() === "" ? 0 : (percentToPpm(text) ?? Number.NaN));

/**
 * The campaign and rate-table builder. The lint and the preview run on every change
 * with the code the server and the public odds page use (lib/gacha), so what is
 * previewed is what fans will read once the table is approved.
 */
export function CampaignBuilder({ campaign, files, locale, defaultWindow }: Props) {
  // Read here, not passed in: the sentences are functions, which cannot cross to the client.
  const t = vtuberMessagesFor(locale).builder;
  const statusNames = vtuberMessagesFor(locale).console.campaignStatus;
  const gachaT = gachaMessagesFor(locale);
  const router = useRouter();
  const editable = !campaign || campaign.status === "draft" || campaign.status === "rejected";
  // New rates proposed for an approved campaign: only the weights change, until submitted.
  const revision = campaign?.status === "approved" ? campaign.rateRevision : null;
  const ratesEditable = editable || (revision !== null && revision.submittedAt === null);
  const [fields, setFields] = useState({
    title: campaign?.title ?? "",
    description: campaign?.description ?? "",
    startsAt: toJstInput(campaign?.startsAt ?? defaultWindow.startsAt),
    endsAt: toJstInput(campaign?.endsAt ?? defaultWindow.endsAt),
    singlePriceJpy: String(campaign?.singlePriceJpy ?? 100),
    tenPriceJpy: String(campaign?.tenPriceJpy ?? 1000),
  });
  const [medals, setMedals] = useState(
    Object.fromEntries(
      RARITIES.map((r) => [r, String(campaign?.medals[r] ?? { N: 10, R: 20, SR: 50, SSR: 100 }[r])]),
    ) as Record<Rarity, string>,
  );
  const field = bindFields(fields, setFields);
  const medal = bindFields(medals, setMedals);
  const [rows, setRows] = useState<Row[]>(
    (campaign?.items ?? []).map((item) => ({
      key: item.id,
      fileId: item.fileId,
      name: item.name,
      rarity: item.rarity,
      regular: item.regularPpm ? ppmToPercent(item.regularPpm) : "",
      guaranteed: item.guaranteedPpm ? ppmToPercent(item.guaranteedPpm) : "",
    })),
  );
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiClientError | null>(null);
  const [notice, setNotice] = useState("");

  const rates: DraftItemRates[] = rows.map((row) => ({
    key: row.key,
    rarity: row.rarity,
    regularPpm: ppmOf(row.regular),
    guaranteedPpm: ppmOf(row.guaranteed),
  }));
  const problems = lintRateTable(rates);
  const names = new Map(rows.map((row) => [row.key, row.name]));
  // Cheap enough to compute on every render: a table holds at most 100 items.
  const preview =
    problems.length > 0 || rows.length === 0
      ? null
      : computeOdds(
          previewTable(rates),
          {
            singlePriceJpy: Number(fields.singlePriceJpy) || 0,
            tenPriceJpy: Number(fields.tenPriceJpy) || 0,
            medals: Object.fromEntries(RARITIES.map((r) => [r, Number(medals[r]) || 0])) as Record<Rarity, number>,
          },
          [],
        );
  const sum = (slot: "regularPpm" | "guaranteedPpm") =>
    `${ppmToPercent(rates.reduce((s, r) => s + (Number.isFinite(r[slot]) ? r[slot] : 0), 0))}%`;

  function documentBody() {
    return {
      title: fields.title.trim(),
      description: fields.description,
      startsAt: fromJstInput(fields.startsAt),
      endsAt: fromJstInput(fields.endsAt),
      singlePriceJpy: Number(fields.singlePriceJpy),
      tenPriceJpy: Number(fields.tenPriceJpy),
      medals: Object.fromEntries(RARITIES.map((r) => [r, Number(medals[r])])),
      items: rows.map((row, i) => ({
        fileId: row.fileId,
        name: row.name.trim(),
        rarity: row.rarity,
        regularPpm: rates[i]!.regularPpm,
        guaranteedPpm: rates[i]!.guaranteedPpm,
      })),
    };
  }

  async function save(submit: boolean) {
    setPending(true);
    setError(null);
    setNotice("");
    try {
      const saved = campaign
        ? await apiFetch<{ campaign: ConsoleCampaign }>(`/api/vtuber/campaigns/${campaign.id}`, {
            method: "PUT",
            body: documentBody(),
          })
        : await apiFetch<{ campaign: ConsoleCampaign }>("/api/vtuber/campaigns", {
            method: "POST",
            body: documentBody(),
          });
      if (submit) await apiFetch(`/api/vtuber/campaigns/${saved.campaign.id}/submit`, { method: "POST" });
      setNotice(submit ? t.submitted : t.saved);
      if (!campaign) router.replace(`/vtuber/campaigns/${saved.campaign.id}`);
      else router.refresh();
    } catch (err) {
      if (!(err instanceof ApiClientError)) throw err;
      setError(err);
    } finally {
      setPending(false);
    }
  }

  /** The proposed rates of an approved campaign: save them, then submit when asked. */
  async function rateRequest(action: "propose" | "save" | "submit") {
    if (!campaign) return;
    setPending(true);
    setError(null);
    setNotice("");
    const path = `/api/vtuber/campaigns/${campaign.id}/rates`;
    try {
      if (action === "propose") {
        await apiFetch(path, { method: "POST" });
      } else {
        await apiFetch(path, {
          method: "PUT",
          body: {
            items: rows.map((row, i) => ({
              itemId: row.key,
              regularPpm: rates[i]!.regularPpm,
              guaranteedPpm: rates[i]!.guaranteedPpm,
            })),
          },
        });
        if (action === "submit") await apiFetch(`${path}/submit`, { method: "POST" });
        setNotice(action === "submit" ? t.submitted : t.saved);
      }
      router.refresh();
    } catch (err) {
      if (!(err instanceof ApiClientError)) throw err;
      setError(err);
    } finally {
      setPending(false);
    }
  }

  const setRow = (i: number, change: Partial<Row>) =>
    setRows((current) => current.map((row, k) => (k === i ? { ...row, ...change } : row)));
  const unused = files.filter((f) => !rows.some((row) => row.fileId === f.id));

  return (
    <div className="campaign-builder" data-testid="campaign-builder">
      {campaign && (
        <section className="panel" aria-labelledby="builder-status">
          <h2 id="builder-status">{t.status}</h2>
          <p data-testid="campaign-status" data-status={campaign.status}>
            {statusNames[campaign.status]}
          </p>
          {campaign.reviewNote && (
            <div className="console-note">
              <h3>{t.reviewNote}</h3>
              <p data-testid="campaign-review-note">{campaign.reviewNote}</p>
            </div>
          )}
          {!editable && <p>{t.locked}</p>}
        </section>
      )}

      {campaign?.status === "approved" && (
        <section className="panel" aria-labelledby="builder-rates" data-testid="rate-revision">
          <h2 id="builder-rates">{t.ratesHeading}</h2>
          <p className="note">{t.ratesLead}</p>
          {revision === null && (
            <button
              type="button"
              className="button button--secondary"
              disabled={pending}
              onClick={() => void rateRequest("propose")}
            >
              {t.proposeRates}
            </button>
          )}
          {revision && (
            <p data-testid="rate-revision-status">
              {revision.submittedAt
                ? t.ratesInReview(revision.version)
                : t.ratesDraft(revision.version, revision.liveVersion)}
            </p>
          )}
        </section>
      )}

      <fieldset className="panel" disabled={!editable}>
        <legend>{t.basics}</legend>
        <FormField id="campaign-title" label={t.title}>
          <input id="campaign-title" maxLength={100} {...field("title")} />
        </FormField>
        <FormField id="campaign-description" label={t.description}>
          <textarea id="campaign-description" rows={4} maxLength={5000} {...field("description")} />
        </FormField>
        <div className="console-row">
          <FormField id="campaign-starts" label={t.startsAt}>
            <input id="campaign-starts" type="datetime-local" {...field("startsAt")} />
          </FormField>
          <FormField id="campaign-ends" label={t.endsAt}>
            <input id="campaign-ends" type="datetime-local" {...field("endsAt")} />
          </FormField>
          <FormField id="campaign-single" label={t.singlePrice}>
            <input id="campaign-single" inputMode="numeric" {...field("singlePriceJpy")} />
          </FormField>
          <FormField id="campaign-ten" label={t.tenPrice}>
            <input id="campaign-ten" inputMode="numeric" {...field("tenPriceJpy")} />
          </FormField>
        </div>
        <fieldset className="console-fieldset">
          <legend>{t.medalsHeading}</legend>
          <div className="console-row">
            {RARITIES.map((r) => (
              <FormField key={r} id={`campaign-medals-${r}`} label={r}>
                <input id={`campaign-medals-${r}`} inputMode="numeric" {...medal(r)} />
              </FormField>
            ))}
          </div>
        </fieldset>
      </fieldset>

      {/* Not a disabled fieldset: the table's scroll region must stay focusable (keyboard
          scrolling on phones) while the campaign is in review; each control is disabled instead. */}
      <fieldset className="panel">
        <legend>{t.itemsHeading}</legend>
        <p className="note">{t.itemsLead}</p>
        {files.length === 0 && <p>{t.noFiles}</p>}
        <div className="table-scroll" role="region" aria-label={t.itemsHeading} tabIndex={0}>
          <table className="console-table" data-testid="builder-items">
            <thead>
              <tr>
                <th scope="col">{t.file}</th>
                <th scope="col">{t.itemName}</th>
                <th scope="col">{t.rarity}</th>
                <th scope="col">{t.regular}</th>
                <th scope="col">{t.guaranteed}</th>
                <th scope="col">
                  <span className="visually-hidden">{t.removeItem("")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <tr key={row.key}>
                  <td>
                    <select
                      disabled={!editable}
                      aria-label={`${t.file} ${i + 1}`}
                      value={row.fileId}
                      onChange={(e) => setRow(i, { fileId: e.target.value })}
                    >
                      {files
                        .filter((f) => f.id === row.fileId || !rows.some((other) => other.fileId === f.id))
                        .map((f) => (
                          <option key={f.id} value={f.id}>
                            {f.title}
                          </option>
                        ))}
                    </select>
                  </td>
                  <td>
                    <input
                      disabled={!editable}
                      aria-label={`${t.itemName} ${i + 1}`}
                      value={row.name}
                      maxLength={100}
                      onChange={(e) => setRow(i, { name: e.target.value })}
                    />
                  </td>
                  <td>
                    <select
                      disabled={!editable}
                      aria-label={`${t.rarity} ${i + 1}`}
                      value={row.rarity}
                      onChange={(e) => setRow(i, { rarity: e.target.value as Rarity })}
                    >
                      {RARITIES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      disabled={!ratesEditable}
                      aria-label={`${t.regular} ${i + 1}`}
                      inputMode="decimal"
                      value={row.regular}
                      onChange={(e) => setRow(i, { regular: e.target.value })}
                    />
                  </td>
                  <td>
                    <input
                      disabled={!ratesEditable}
                      aria-label={`${t.guaranteed} ${i + 1}`}
                      inputMode="decimal"
                      value={row.guaranteed}
                      onChange={(e) => setRow(i, { guaranteed: e.target.value })}
                    />
                  </td>
                  <td>
                    <button
                      type="button"
                      disabled={!editable}
                      className="button button--secondary button--small"
                      onClick={() => setRows(rows.filter((_, k) => k !== i))}
                    >
                      ×<span className="visually-hidden">{t.removeItem(row.name)}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="note" data-testid="builder-sums">
          {t.sums(sum("regularPpm"), sum("guaranteedPpm"))}
        </p>
        {unused.length > 0 && (
          <button
            type="button"
            disabled={!editable}
            className="button button--secondary"
            onClick={() =>
              setRows([
                ...rows,
                {
                  key: `new-${Date.now()}-${rows.length}`,
                  fileId: unused[0]!.id,
                  name: unused[0]!.title,
                  rarity: "N",
                  regular: "",
                  guaranteed: "",
                },
              ])
            }
          >
            {t.addItem}
          </button>
        )}
      </fieldset>

      <section className="panel" aria-labelledby="builder-problems">
        <h2 id="builder-problems">{t.problemsHeading}</h2>
        {problems.length === 0 ? (
          <p>{t.noProblems}</p>
        ) : (
          <ul data-testid="builder-problems">
            {problems.map((p, i) => (
              <li key={i} data-code={p.code}>
                {t.problem(p, (key) => names.get(key) ?? key)}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="panel" aria-labelledby="builder-preview" data-testid="builder-preview">
        <h2 id="builder-preview">{t.previewHeading}</h2>
        {preview ? (
          <>
            <OddsSlotTables
              slot={preview.slots.regular}
              slotKey="regular"
              heading={gachaT.odds.regularHeading}
              itemNames={names}
              t={gachaT}
            />
            <OddsSlotTables
              slot={preview.slots.guaranteed}
              slotKey="guaranteed"
              heading={gachaT.odds.guaranteedHeading}
              itemNames={names}
              t={gachaT}
            />
          </>
        ) : (
          <p>{t.previewUnavailable}</p>
        )}
      </section>

      <div aria-live="polite" data-testid="builder-notice">
        {notice}
      </div>
      <ApiErrorAlert
        id="builder-error"
        error={error}
        fieldNames={{
          title: t.title,
          startsAt: t.startsAt,
          endsAt: t.endsAt,
          singlePriceJpy: t.singlePrice,
          tenPriceJpy: t.tenPrice,
          items: t.itemsHeading,
        }}
      />
      {!editable && ratesEditable && (
        <div className="button-row">
          <button
            type="button"
            className="button button--secondary"
            disabled={pending}
            onClick={() => void rateRequest("save")}
          >
            {pending ? t.saving : t.saveRates}
          </button>
          <button
            type="button"
            className="button"
            disabled={pending || problems.length > 0 || rows.length === 0}
            onClick={() => void rateRequest("submit")}
          >
            {t.submitRates}
          </button>
        </div>
      )}
      {editable && (
        <div className="button-row">
          <button
            type="button"
            className="button button--secondary"
            disabled={pending}
            onClick={() => void save(false)}
          >
            {pending ? t.saving : t.save}
          </button>
          <button
            type="button"
            className="button"
            disabled={pending || problems.length > 0 || rows.length === 0}
            onClick={() => void save(true)}
          >
            {t.submit}
          </button>
        </div>
      )}
    </div>
  );
}
