import Joi from "joi";
import { validate } from "@/lib/api/body";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { readSales, salesCsv } from "@/lib/vtuber/sales";

export const runtime = "nodejs";

const query = Joi.object<{ format?: "json" | "csv" }>({ format: Joi.string().valid("json", "csv") });

/** The caller's sales per campaign and in total, with the series over time; `?format=csv` for the table. */
export const GET = route({ access: "vtuber" }, async ({ request, user }) => {
  const { format } = validate(query, Object.fromEntries(new URL(request.url).searchParams));
  const sales = await readSales(await getDb(), user.claims);
  if (format !== "csv") return sales;
  return new Response(salesCsv(sales), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="koepon-sales.csv"',
      "cache-control": "no-store",
    },
  });
});
