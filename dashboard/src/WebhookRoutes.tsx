import { Navigate, Route, Routes } from "react-router";
import { TeamDeliveriesPage } from "./features/deliveries/TeamDeliveriesPage";
import { WebhookDetailsPage } from "./features/endpoints/WebhookDetailsPage";
import { WebhookFormPage } from "./features/endpoints/WebhookFormPage";
import { WebhookListPage } from "./features/endpoints/WebhookListPage";
import { EventCatalogPage } from "./features/events/EventCatalogPage";
import { BASE } from "./routes";

/**
 * The webhook pages, for a signed-in member of the team in context, relative to where they are
 * mounted: `<Route path="/dashboard/webhooks/*" element={<WebhookRoutes />} />` (their links name
 * that address).
 */
export function WebhookRoutes() {
  return (
    <Routes>
      <Route index element={<WebhookListPage />} />
      <Route path="new" element={<WebhookFormPage />} />
      <Route path="deliveries" element={<TeamDeliveriesPage />} />
      <Route path="events" element={<EventCatalogPage />} />
      <Route path=":webhookId" element={<WebhookDetailsPage />} />
      <Route path=":webhookId/edit" element={<WebhookFormPage />} />
      <Route path="*" element={<Navigate to={BASE} replace />} />
    </Routes>
  );
}
