/**
 * The create/edit form's logic, apart from React: the values, the event subscription checkboxes
 * (a type, a whole category as `category.*`, or everything as `*`), and the API input they become.
 */
import type { EndpointInput, EventType, Webhook } from "../../api/types";

export interface HeaderRow {
  id: number;
  name: string;
  value: string;
}

export interface FormValues {
  url: string;
  description: string;
  events: string[];
  maxAttempts: number;
  timeoutSeconds: number;
  rateLimitPerSecond: number | null;
  headers: HeaderRow[];
}

export const DEFAULTS = { maxAttempts: 8, timeoutSeconds: 30, rateLimitPerSecond: null } as const;

let nextRowId = 1;
export const headerRow = (name = "", value = ""): HeaderRow => ({ id: nextRowId++, name, value });

export function emptyForm(): FormValues {
  return { url: "", description: "", events: [], ...DEFAULTS, headers: [] };
}

export function formFromWebhook(w: Webhook): FormValues {
  return {
    url: w.url,
    description: w.description ?? "",
    events: [...w.events],
    maxAttempts: w.maxAttempts,
    timeoutSeconds: Math.round(w.timeoutMs / 1000),
    rateLimitPerSecond: w.rateLimitPerSecond ?? null,
    headers: Object.entries(w.headers ?? {}).map(([n, v]) => headerRow(n, v)),
  };
}

/** Problems the form can see before asking the API (the API checks everything again). */
export function localProblems(v: FormValues): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!v.url.trim()) problems.url = "Enter the URL that receives the webhooks";
  if (v.events.length === 0) problems.events = "Select at least one event";
  const names = v.headers.map((h) => h.name.trim().toLowerCase()).filter(Boolean);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) problems.headers = `The header ${twice} is listed twice`;
  else if (v.headers.some((h) => !h.name.trim() && h.value)) problems.headers = "Every header with a value needs a name";
  return problems;
}

export function toInput(v: FormValues): EndpointInput {
  return {
    url: v.url.trim(),
    description: v.description,
    events: normalize(v.events),
    maxAttempts: v.maxAttempts,
    timeoutMs: v.timeoutSeconds * 1000,
    rateLimitPerSecond: v.rateLimitPerSecond,
    headers: Object.fromEntries(v.headers.filter((h) => h.name.trim()).map((h) => [h.name.trim(), h.value])),
  };
}

export interface Category {
  name: string;
  types: EventType[];
}

/** The catalog grouped by category, in catalog order. */
export function categories(catalog: EventType[]): Category[] {
  const out: Category[] = [];
  for (const t of catalog) {
    const c = out.find((x) => x.name === t.category) ?? out[out.push({ name: t.category, types: [] }) - 1];
    c.types.push(t);
  }
  return out;
}

const categoryOf = (type: string) => type.slice(0, type.lastIndexOf("."));

/** Operational events, about the endpoints themselves: `*` does not include them. */
export const OPERATIONAL_CATEGORY = "webhook";

const isOperationalEntry = (e: string) => categoryOf(e) === OPERATIONAL_CATEGORY;

const coveredByAll = (events: string[], type: string) => events.includes("*") && categoryOf(type) !== OPERATIONAL_CATEGORY;

export function isSelected(events: string[], type: string): boolean {
  return coveredByAll(events, type) || events.includes(`${categoryOf(type)}.*`) || events.includes(type);
}

export function categoryState(events: string[], c: Category): "all" | "some" | "none" {
  const n = c.types.filter((t) => isSelected(events, t.type)).length;
  return n === 0 ? "none" : n === c.types.length ? "all" : "some";
}

/** `*` spelled out as the helpdesk types it stands for; operational entries kept as they are. */
function expand(events: string[], all: Category[]): string[] {
  const types = all.filter((c) => c.name !== OPERATIONAL_CATEGORY).flatMap((c) => c.types.map((t) => t.type));
  return [...new Set([...types.filter((t) => isSelected(events, t)), ...events.filter(isOperationalEntry)])];
}

export function toggleType(events: string[], type: string, all: Category[]): string[] {
  if (!isSelected(events, type)) return normalize([...events, type]);
  const category = `${categoryOf(type)}.*`;
  const base = coveredByAll(events, type)
    ? expand(events, all)
    : events.includes(category)
      ? [...events.filter((e) => e !== category), ...(all.find((c) => `${c.name}.*` === category)?.types.map((t) => t.type) ?? [])]
      : events;
  return normalize(base.filter((e) => e !== type));
}

/** Select-all for a category subscribes to `category.*` (so types added to it later are included). */
export function toggleCategory(events: string[], c: Category, all: Category[]): string[] {
  const types = new Set(c.types.map((t) => t.type));
  if (categoryState(events, c) === "all") {
    const base = coveredByAll(events, c.types[0].type) ? expand(events, all) : events;
    return normalize(base.filter((e) => e !== `${c.name}.*` && !types.has(e)));
  }
  return normalize([...events.filter((e) => !types.has(e)), `${c.name}.*`]);
}

/** `*` on or off; operational subscriptions stay as they are. */
export function toggleEverything(events: string[]): string[] {
  const operational = events.filter(isOperationalEntry);
  return events.includes("*") ? operational : ["*", ...operational];
}

/** Without duplicates, and beside `*` (it covers every helpdesk event) only operational entries. */
export function normalize(events: string[]): string[] {
  const unique = [...new Set(events)];
  if (unique.includes("*")) return ["*", ...unique.filter(isOperationalEntry)];
  return unique;
}
