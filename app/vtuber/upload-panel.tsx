"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { ApiErrorAlert } from "@/app/_components/api-error-alert";
import { FormField } from "@/app/_components/form-field";
import { ApiClientError, apiFetch } from "@/lib/client/api";
import type { ContentKind } from "@/lib/gacha/types";
import { formatBytes, vtuberMessagesFor } from "@/lib/i18n/dictionaries/vtuber";
import type { Locale } from "@/lib/i18n/locales";
import { CONTENT_KINDS, MEDIA_RULES } from "@/lib/vtuber/media-rules";

interface Props {
  locale: Locale;
  /** Only this kind may be chosen (the avatar: images). @default every kind */
  kinds?: readonly ContentKind[];
}

type Phase =
  { step: "idle" } | { step: "uploading"; percent: number } | { step: "verifying" } | { step: "done"; title: string };

/**
 * Start → PUT the bytes to the signed URL (XMLHttpRequest, for its progress events) →
 * verify. A failed attempt is retried from the start: a signed upload URL works once.
 */
export function UploadPanel({ locale, kinds = CONTENT_KINDS }: Props) {
  // Read here, not passed in: the sentences are functions, which cannot cross to the client.
  const t = vtuberMessagesFor(locale).console;
  const router = useRouter();
  const form = useRef<HTMLFormElement>(null);
  const [kind, setKind] = useState<ContentKind>(kinds[0]!);
  const [phase, setPhase] = useState<Phase>({ step: "idle" });
  const [error, setError] = useState<ApiClientError | null>(null);
  const [failed, setFailed] = useState(false);

  async function upload() {
    const data = new FormData(form.current!);
    const file = data.get("file");
    const title = String(data.get("title") ?? "").trim() || (file instanceof File ? file.name.slice(0, 100) : "");
    if (!(file instanceof File) || file.size === 0) return;
    setError(null);
    setFailed(false);
    if (file.size > MEDIA_RULES[kind].maxBytes) {
      setError(new ApiClientError(413, "file_too_large", t.tooLarge(formatBytes(MEDIA_RULES[kind].maxBytes))));
      return;
    }
    try {
      setPhase({ step: "uploading", percent: 0 });
      const { upload } = await apiFetch<{ upload: { id: string; uploadUrl: string } }>("/api/vtuber/uploads", {
        method: "POST",
        body: { kind, title, sizeBytes: file.size },
      });
      await put(upload.uploadUrl, file, (percent) => setPhase({ step: "uploading", percent }));
      setPhase({ step: "verifying" });
      await apiFetch(`/api/vtuber/uploads/${upload.id}/verify`, { method: "POST" });
      setPhase({ step: "done", title });
      form.current?.reset();
      router.refresh();
    } catch (err) {
      setPhase({ step: "idle" });
      setFailed(true);
      setError(err instanceof ApiClientError ? err : new ApiClientError(0, "network", t.networkError));
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void upload();
  }

  const busy = phase.step === "uploading" || phase.step === "verifying";
  return (
    <form
      ref={form}
      className="upload-panel"
      onSubmit={onSubmit}
      aria-describedby="upload-error"
      data-testid="upload-form"
    >
      <h3>{t.uploadHeading}</h3>
      <p className="note">{t.uploadLead}</p>
      <FormField id="upload-kind" label={t.kindLabel} hint={t.limit(formatBytes(MEDIA_RULES[kind].maxBytes))}>
        <select
          id="upload-kind"
          name="kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as ContentKind)}
          aria-describedby="upload-kind-hint"
        >
          {kinds.map((k) => (
            <option key={k} value={k}>
              {t.kinds[k]}
            </option>
          ))}
        </select>
      </FormField>
      <FormField id="upload-title" label={t.titleLabel}>
        <input id="upload-title" name="title" maxLength={100} />
      </FormField>
      <FormField id="upload-file" label={t.fileLabel}>
        <input id="upload-file" name="file" type="file" accept={MEDIA_RULES[kind].accept} required />
      </FormField>
      <div aria-live="polite" className="upload-progress-area">
        {phase.step === "uploading" && (
          <>
            <progress max={100} value={phase.percent} aria-label={t.uploading(phase.percent)} />
            <span>{t.uploading(phase.percent)}</span>
          </>
        )}
        {phase.step === "verifying" && <span>{t.verifying}</span>}
        {phase.step === "done" && <span data-testid="upload-done">{t.uploaded(phase.title)}</span>}
      </div>
      <ApiErrorAlert id="upload-error" error={error} />
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>
          {failed ? t.retry : t.upload}
        </button>
      </div>
    </form>
  );
}

/** PUTs the file, reporting progress; rejects with the API's error when it answers one. */
function put(url: string, file: File, onProgress: (percent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.floor((event.loaded / event.total) * 100));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      try {
        const body = JSON.parse(xhr.responseText) as { error: { code: string; message: string; details: [] } };
        reject(new ApiClientError(xhr.status, body.error.code, body.error.message, body.error.details));
      } catch {
        reject(new Error(`upload answered ${xhr.status}`));
      }
    };
    xhr.onerror = () => reject(new Error("network"));
    xhr.send(file);
  });
}
