import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { describe, expect, it, vi } from "vitest";
import type { WebhooksApi } from "../src/api/client";
import type { EventType } from "../src/api/types";
import { WebhookFormPage } from "../src/features/endpoints/WebhookFormPage";
import { apiWith, providers } from "./fakes";

const eventTypes: EventType[] = ["ticket.created", "ticket.updated", "contact.created"].map((type) => ({
  type,
  category: type.split(".")[0],
  description: `when a ${type}`,
  sample: {},
}));

function renderForm(createWebhook: (...args: never[]) => unknown) {
  const api = apiWith({
    listEventTypes: async () => ({ eventTypes }),
    listWebhooks: async () => ({ webhooks: [] }),
    createWebhook: createWebhook as WebhooksApi["createWebhook"],
  });
  const Wrapper = providers(api);
  return render(
    <Wrapper>
      <MemoryRouter initialEntries={["/dashboard/webhooks/new"]}>
        <Routes>
          <Route path="/dashboard/webhooks/new" element={<WebhookFormPage />} />
          <Route path="/dashboard/webhooks/:id" element={<p>details page</p>} />
        </Routes>
      </MemoryRouter>
    </Wrapper>,
  );
}

describe("the create form", () => {
  it("sends the events picked by category and shows the secret once", async () => {
    const createWebhook = vi.fn(async () => ({ webhook: { id: "w1" }, secret: "whsec_shown_once" }));
    renderForm(createWebhook);
    fireEvent.change(screen.getByLabelText(/Webhook URL/), { target: { value: "https://example.com/hook" } });
    fireEvent.click(await screen.findByRole("checkbox", { name: "All ticket events" }));
    fireEvent.click(screen.getByRole("button", { name: "Create Webhook" }));
    expect(await screen.findByText("whsec_shown_once")).toBeTruthy();
    expect(createWebhook).toHaveBeenCalledWith(
      "team-1",
      expect.objectContaining({ url: "https://example.com/hook", events: ["ticket.*"], timeoutMs: 30000 }),
    );
  });

  it("shows the API's message at the field it names", async () => {
    const createWebhook = vi.fn(async () => Promise.reject({ code: "functions/invalid-argument", message: "url is not a valid URL" }));
    renderForm(createWebhook);
    fireEvent.change(screen.getByLabelText(/Webhook URL/), { target: { value: "not a url" } });
    fireEvent.click(await screen.findByRole("checkbox", { name: "contact.created" }));
    fireEvent.click(screen.getByRole("button", { name: "Create Webhook" }));
    await waitFor(() => expect(screen.getByLabelText(/Webhook URL/).getAttribute("aria-invalid")).toBe("true"));
    expect(screen.getByText("url is not a valid URL")).toBeTruthy();
  });

  it("asks nothing of the API while no event is selected", async () => {
    const createWebhook = vi.fn();
    renderForm(createWebhook);
    fireEvent.change(screen.getByLabelText(/Webhook URL/), { target: { value: "https://example.com/hook" } });
    await screen.findByRole("checkbox", { name: "All ticket events" });
    fireEvent.click(screen.getByRole("button", { name: "Create Webhook" }));
    expect(await screen.findByText("Select at least one event")).toBeTruthy();
    expect(createWebhook).not.toHaveBeenCalled();
  });
});
