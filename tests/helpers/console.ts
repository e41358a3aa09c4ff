/**
 * Calls the VTuber console's routes as a browser would (JSON bodies, bearer tokens), for
 * the console's integration tests.
 */
import * as application from "@/app/api/me/vtuber-application/route";
import * as campaign from "@/app/api/vtuber/campaigns/[id]/route";
import * as campaignSubmit from "@/app/api/vtuber/campaigns/[id]/submit/route";
import * as campaigns from "@/app/api/vtuber/campaigns/route";
import * as exchangeItem from "@/app/api/vtuber/exchange-items/[id]/route";
import * as exchangeItemSubmit from "@/app/api/vtuber/exchange-items/[id]/submit/route";
import * as exchangeItems from "@/app/api/vtuber/exchange-items/route";
import * as files from "@/app/api/vtuber/files/route";
import * as upload from "@/app/api/vtuber/uploads/[id]/route";
import * as uploadVerify from "@/app/api/vtuber/uploads/[id]/verify/route";
import * as uploads from "@/app/api/vtuber/uploads/route";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

function send(handler: Handler, method: string, url: string, token: string, body?: unknown, params = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let payload: BodyInit | undefined;
  if (Buffer.isBuffer(body)) {
    payload = new Uint8Array(body);
    headers["content-type"] = "application/octet-stream";
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["content-type"] = "application/json";
  }
  return handler(new Request(`http://localhost${url}`, { method, headers, body: payload }), {
    params: Promise.resolve(params),
  });
}

export interface StartedUploadBody {
  upload: { id: string; uploadUrl: string; expiresAt: string };
}

export const consoleApi = {
  exchangeItems: (token: string) => send(exchangeItems.GET, "GET", "/api/vtuber/exchange-items", token),
  createExchangeItem: (token: string, body: unknown) =>
    send(exchangeItems.POST, "POST", "/api/vtuber/exchange-items", token, body),
  saveExchangeItem: (token: string, id: string, body: unknown) =>
    send(exchangeItem.PUT, "PUT", `/api/vtuber/exchange-items/${id}`, token, body, { id }),
  submitExchangeItem: (token: string, id: string) =>
    send(exchangeItemSubmit.POST, "POST", `/api/vtuber/exchange-items/${id}/submit`, token, undefined, { id }),
  getApplication: (token: string) => send(application.GET, "GET", "/api/me/vtuber-application", token),
  apply: (token: string, body: unknown) => send(application.POST, "POST", "/api/me/vtuber-application", token, body),
  files: (token: string) => send(files.GET, "GET", "/api/vtuber/files", token),
  startUpload: (token: string, body: unknown) => send(uploads.POST, "POST", "/api/vtuber/uploads", token, body),
  /** PUT to a signed upload URL; `id` is the upload the URL's path names. */
  put: (
    token: string,
    uploadUrl: string,
    bytes: Buffer,
    id = new URL(uploadUrl, "http://localhost").pathname.split("/").pop()!,
  ) => send(upload.PUT, "PUT", uploadUrl, token, bytes, { id }),
  verify: (token: string, id: string) =>
    send(uploadVerify.POST, "POST", `/api/vtuber/uploads/${id}/verify`, token, undefined, { id }),
  campaigns: (token: string) => send(campaigns.GET, "GET", "/api/vtuber/campaigns", token),
  createCampaign: (token: string, body: unknown) => send(campaigns.POST, "POST", "/api/vtuber/campaigns", token, body),
  getCampaign: (token: string, id: string) =>
    send(campaign.GET, "GET", `/api/vtuber/campaigns/${id}`, token, undefined, { id }),
  saveCampaign: (token: string, id: string, body: unknown) =>
    send(campaign.PUT, "PUT", `/api/vtuber/campaigns/${id}`, token, body, { id }),
  submitCampaign: (token: string, id: string) =>
    send(campaignSubmit.POST, "POST", `/api/vtuber/campaigns/${id}/submit`, token, undefined, { id }),
};

/** Start, PUT and verify one file; answers the verification's response. */
export async function uploadFile(
  token: string,
  kind: "voice" | "image" | "video",
  bytes: Buffer,
  title = `${kind} file`,
): Promise<Response> {
  const started = await consoleApi.startUpload(token, { kind, title, sizeBytes: bytes.length });
  if (started.status !== 201) return started;
  const { upload } = (await started.json()) as StartedUploadBody;
  const put = await consoleApi.put(token, upload.uploadUrl, bytes);
  if (put.status !== 204) return put;
  return consoleApi.verify(token, upload.id);
}
