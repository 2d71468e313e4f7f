import { Detector } from "./types";

export const detectTicketComment: Detector = (before, after) => (!before && after ? [{ type: "ticket.commented", data: after }] : []);
