// yyyy/mm/dd hh:mm in Japan time for both languages: a history is scanned down a column,
// and format.ts's long form ("2026年11月29日 9:05") would take two lines in a phone-width cell.
const JST_DATE = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
const JST_TIME = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** The date and the time each stay whole; a narrow column breaks the line between them. */
export function HistoryTime({ value }: { value: Date }) {
  return (
    <time dateTime={value.toISOString()} className="history-time">
      <span>{JST_DATE.format(value)}</span> <span>{JST_TIME.format(value)}</span>
    </time>
  );
}
