import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { backoffMs } from "../../src/delivery/backoff";
import { createEndpoint, deliveriesOf, firestore, newTeamId, waitFor } from "./helpers/emulators";
import { Receiver } from "./helpers/receiver";

const SCALE = 0.001; // WEBHOOK_DELAY_SCALE of the test project

/** The Functions emulator's worker processes that serve the delivery shards (Linux: read from /proc). */
function deliveryWorkers(): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, "utf8")
          .split("\0")
          .some((v) => v.startsWith("FUNCTION_TARGET=deliverWebhook"));
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function writeTickets(teamId: string, n: number) {
  for (let i = 0; i < n; i++)
    await firestore()
      .doc(`teams/${teamId}/tickets/F${i}`)
      .set({ subject: `fault ${i}`, status: "open" });
}

describe("fault injection", () => {
  const receivers: Receiver[] = [];
  const receiver = async (behaviour?: ConstructorParameters<typeof Receiver>[0], port?: number) => {
    const r = new Receiver(behaviour);
    receivers.push(r);
    await r.start(port);
    return r;
  };
  afterAll(() => Promise.all(receivers.map((r) => r.stop().catch(() => undefined))));

  it("delivers everything, once, to a receiver that is down for a while and comes back", async () => {
    const probe = await receiver();
    const url = probe.url;
    const port = Number(new URL(url).port);
    await probe.stop();
    const teamId = newTeamId("down");
    const { webhookId } = await createEndpoint(teamId, { url, events: ["ticket.created"], maxAttempts: 12 });
    await writeTickets(teamId, 5);
    // Refused attempts in a row open the endpoint's circuit: the deliveries then wait, with a probe now and then.
    await waitFor("refused attempts and the circuit open", async () => {
      const ds = await deliveriesOf(teamId, webhookId);
      const refused = ds.reduce((n, d) => n + d.attempts, 0);
      return (
        ds.length === 5 &&
        refused >= 5 &&
        (await firestore().doc(`teams/${teamId}/webhooks/${webhookId}`).get()).get("circuit") !== "closed"
      );
    });
    // Behind the open circuit they park (no task each cool-down): the cool-down's end wakes one as the probe, and the
    // probe that reaches the receiver wakes the others.
    await waitFor("a delivery parked behind the circuit", async () =>
      (await deliveriesOf(teamId, webhookId)).some((d) => d.parked === true),
    );
    const back = await receiver(undefined, port);
    const ds = await waitFor("every delivery to succeed", async () => {
      const list = await deliveriesOf(teamId, webhookId);
      return list.length === 5 && list.every((d) => d.status === "succeeded") ? list : undefined;
    });
    const ids = back.requests.map((r) => r.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(5);
    expect(ids).toHaveLength(5);
    for (const d of ds) {
      const log = d.attemptLog;
      expect(log.slice(0, -1).every((a) => a.errorClass === "connection_refused")).toBe(true);
      expect(log[log.length - 1]).toMatchObject({ statusCode: 200, errorClass: null });
      // Each wait at least the schedule's lower bound (backoff with the most negative jitter).
      for (let n = 1; n < log.length; n++) {
        expect(log[n].at.toMillis() - log[n - 1].at.toMillis()).toBeGreaterThanOrEqual(Math.floor(backoffMs(n, SCALE, () => 0)));
      }
    }
  });

  it("loses nothing when the handler dies after the receiver took the request and before the record; the duplicate send shows", async () => {
    let killed: number[] = [];
    const r = await receiver((_req, n, res) => {
      // The receiver has the request and processes it; the sender dies before it can record anything.
      if (n === 1) {
        killed = deliveryWorkers();
        killed.forEach((pid) => process.kill(pid, "SIGKILL"));
      }
      res.writeHead(200).end("ok");
    });
    const teamId = newTeamId("crash");
    const { webhookId } = await createEndpoint(teamId, { url: r.url, events: ["ticket.created"] });
    await writeTickets(teamId, 1);
    const [d] = await waitFor(
      "the delivery to be recorded",
      async () => {
        const list = await deliveriesOf(teamId, webhookId);
        return list[0]?.status === "succeeded" ? list : undefined;
      },
      120_000,
    );
    expect(killed.length).toBeGreaterThan(0);
    expect(r.requests.length).toBe(2);
    expect(r.requests[0].headers["webhook-id"]).toBe(r.requests[1].headers["webhook-id"]);
    expect(d.attempts).toBe(1);
    expect(d.attemptLog).toHaveLength(1);
    expect(d.attemptLog[0].queueRetries).toBeGreaterThanOrEqual(1);
  });

  it("records slow, resetting, huge and garbage answers each with its own class, without slowing the team's other endpoints", async () => {
    const slow = await receiver(() => undefined); // never answers
    const reset = await receiver((req, _n, res) => res.socket?.destroy());
    const healthy = await receiver();
    const garbage = net.createServer((socket) => socket.once("data", () => socket.end("HELLO THIS IS NOT HTTP\r\n\r\n")));
    await new Promise<void>((ok) => garbage.listen(0, "127.0.0.1", ok));
    const garbageUrl = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}/hook`;

    try {
      const teamId = newTeamId("faults");
      const ends = {
        slow: await createEndpoint(teamId, { url: slow.url, events: ["ticket.created"], maxAttempts: 1, timeoutMs: 30000 }),
        reset: await createEndpoint(teamId, { url: reset.url, events: ["ticket.created"], maxAttempts: 1 }),
        garbage: await createEndpoint(teamId, { url: garbageUrl, events: ["ticket.created"], maxAttempts: 1 }),
        healthy: await createEndpoint(teamId, { url: healthy.url, events: ["ticket.created"], maxAttempts: 1 }),
      };
      await writeTickets(teamId, 1);
      const byWebhook = async () => Object.fromEntries((await deliveriesOf(teamId)).map((d) => [d.webhookId, d]));
      const healthyDone = await waitFor("the healthy endpoint's delivery", async () => {
        const all = await byWebhook();
        return all[ends.healthy.webhookId]?.status === "succeeded" ? all : undefined;
      });
      // The healthy endpoint was served while the slow one was still waiting for its answer.
      expect(healthyDone[ends.slow.webhookId].status).toBe("pending");
      const all = await waitFor("every delivery to finish", async () => {
        const m = await byWebhook();
        return Object.values(m).length === 4 && Object.values(m).every((d) => d.status !== "pending") ? m : undefined;
      });
      expect(all[ends.slow.webhookId].attemptLog[0]).toMatchObject({ errorClass: "timeout", statusCode: null });
      expect(all[ends.reset.webhookId].attemptLog[0]).toMatchObject({ errorClass: "connection_reset", statusCode: null });
      expect(all[ends.garbage.webhookId].attemptLog[0]).toMatchObject({ errorClass: "invalid_response", statusCode: null });
      expect(all[ends.healthy.webhookId].attemptLog[0]).toMatchObject({ errorClass: null, statusCode: 200 });
    } finally {
      garbage.close();
    }
  });
});
