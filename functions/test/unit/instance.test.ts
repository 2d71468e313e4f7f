import { deployedName, topicOf } from "../../src/platform/instance";

// firebase-tools' own naming of a kit instance's functions (deploy and emulator alike).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { addKitPrefix } = require("firebase-tools/lib/functions/projectConfig") as { addKitPrefix: (id: string) => string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { applyEndpointPrefix } = require("firebase-tools/lib/deploy/functions/build") as {
  applyEndpointPrefix: (build: { endpoints: Record<string, unknown> }, prefix: string) => void;
};

type Exported = Record<string, { __endpoint?: { eventTrigger?: { eventFilters?: { topic?: string } }; taskQueueTrigger?: object } }>;

/** The backend's modules as an instance loads them: the instance id is read when they load. */
function loadedAs(instance: string | undefined) {
  const before = process.env.FIREBASE_KIT_INSTANCE_ID;
  let loaded: { index: Exported; collections: typeof import("../../src/platform/collections") } | undefined;
  if (instance === undefined) delete process.env.FIREBASE_KIT_INSTANCE_ID;
  else process.env.FIREBASE_KIT_INSTANCE_ID = instance;
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded again under this instance id
      loaded = { index: require("../../src/index") as Exported, collections: require("../../src/platform/collections") };
    });
  } finally {
    if (before === undefined) delete process.env.FIREBASE_KIT_INSTANCE_ID;
    else process.env.FIREBASE_KIT_INSTANCE_ID = before;
  }
  return loaded!;
}

const topicsOf = (index: Exported) =>
  Object.values(index)
    .map((f) => f?.__endpoint?.eventTrigger?.eventFilters?.topic)
    .filter((t): t is string => typeof t === "string")
    .sort();

describe("names of a function kit instance", () => {
  it("are the exports' own when the backend is a codebase of its own", () => {
    expect(deployedName("deliverWebhook3", "")).toBe("deliverWebhook3");
    expect(topicOf("webhook-events", "")).toBe("webhook-events");
    const { index, collections } = loadedAs(undefined);
    expect(collections.EVENTS_TOPIC).toBe("webhook-events");
    expect(topicsOf(index)).toEqual(["webhook-events", "webhook-maintenance", "webhook-operational-events", "webhook-redeliveries"]);
  });

  it("are the names firebase-tools deploys the instance's functions under, so its enqueues reach its own queues", () => {
    const { index } = loadedAs("helpdesk-webhooks");
    const build = {
      endpoints: Object.fromEntries(
        Object.keys(index)
          .filter((k) => index[k]?.__endpoint)
          .map((k) => [k, {}]),
      ),
    };
    applyEndpointPrefix(build, addKitPrefix("helpdesk-webhooks"));
    const queues = Object.keys(index).filter((k) => index[k]?.__endpoint?.taskQueueTrigger);
    expect(queues.length).toBeGreaterThan(0);
    for (const exported of queues) expect(Object.keys(build.endpoints)).toContain(deployedName(exported, "helpdesk-webhooks"));
  });

  it("give each instance topics of its own, which its functions listen on and it publishes to", () => {
    const a = loadedAs("webhooks-a");
    const b = loadedAs("webhooks-b");
    expect(a.collections.EVENTS_TOPIC).toBe("webhook-events-webhooks-a");
    expect(a.collections.OPERATIONAL_TOPIC).toBe("webhook-operational-events-webhooks-a");
    expect(topicsOf(a.index)).toEqual([
      "webhook-events-webhooks-a",
      "webhook-maintenance-webhooks-a",
      "webhook-operational-events-webhooks-a",
      "webhook-redeliveries-webhooks-a",
    ]);
    expect(topicsOf(a.index).filter((t) => topicsOf(b.index).includes(t))).toEqual([]);
  });
});
