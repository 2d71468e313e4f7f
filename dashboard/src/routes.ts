/** Where the pages live, as in the helpdesk's routes. */
export const BASE = "/dashboard/webhooks";
