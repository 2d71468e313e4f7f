import { detectAutomationRun } from "../events/detect/automationRuns";
import { detectContact } from "../events/detect/contacts";
import { detectConversation } from "../events/detect/conversations";
import { detectMessage } from "../events/detect/messages";
import { detectTicketComment } from "../events/detect/ticketComments";
import { detectTicket } from "../events/detect/tickets";
import { sources } from "../events/sources";
import { sourceTrigger } from "./sourceTrigger";

export const onTicketWritten = sourceTrigger(sources.tickets.path, detectTicket, "ticketId");
export const onTicketCommentWritten = sourceTrigger(sources.ticketComments.path, detectTicketComment, "commentId", "ticketId");
export const onContactWritten = sourceTrigger(sources.contacts.path, detectContact, "contactId");
export const onConversationWritten = sourceTrigger(sources.conversations.path, detectConversation, "conversationId");
export const onMessageWritten = sourceTrigger(sources.messages.path, detectMessage, "messageId", "conversationId");
export const onAutomationRunWritten = sourceTrigger(sources.automationRuns.path, detectAutomationRun, "runId");
