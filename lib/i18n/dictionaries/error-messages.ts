import type { Locale } from "../locales";

interface ErrorMessages {
  title: string;
  body: string;
  retry: string;
}

/**
 * Text of the error boundary, apart from the main dictionaries because that boundary is
 * a client component shipped with every page: it should not carry the whole dictionary.
 */
export const errorMessages: Record<Locale, ErrorMessages> = {
  ja: {
    title: "エラーが発生しました",
    body: "時間をおいて、もう一度お試しください。",
    retry: "もう一度読み込む",
  },
  en: {
    title: "Something went wrong",
    body: "Please wait a moment and try again.",
    retry: "Try again",
  },
};
