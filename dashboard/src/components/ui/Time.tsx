import { Tooltip } from "@mantine/core";
import { ago, whenWithZone } from "./format";

/** A relative time ("3 min ago"), the absolute time with its zone on hover and for assistive technology. */
export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <>–</>;
  return (
    <Tooltip label={whenWithZone(iso)}>
      <time dateTime={iso} title={whenWithZone(iso)}>
        {ago(iso)}
      </time>
    </Tooltip>
  );
}
