// How a booking's status and reason read to people (shared by the guest's and manager's pages).
import { count, formatDate, formatMoment, formatMoney, h, nightsBetween } from "./ui.js";

export const FINAL = new Set(["CONFIRMED", "REJECTED", "EXPIRED", "FAILED", "CANCELLED"]);

export const STATUS_TEXT = {
  PENDING: "Received",
  ROOM_RESERVED: "Room held",
  PAYMENT_RECORDED: "Payment taken",
  AWAITING_APPROVAL: "Awaiting hotel approval",
  CONFIRMED: "Confirmed",
  REJECTED: "Declined by the hotel",
  EXPIRED: "Expired",
  FAILED: "Failed",
  CANCELLING: "Being cancelled",
  CANCELLED: "Cancelled",
};

const REASON_TEXT = {
  ROOM_UNAVAILABLE: "No rooms were left for those dates.",
  HOTEL_NOT_FOUND: "The hotel no longer exists.",
  RESERVATION_ERROR: "The room could not be reserved because of a technical problem.",
  PAYMENT_DECLINED: "The card was declined.",
  PAYMENT_ERROR: "The payment could not be processed.",
  PAYMENT_UNAVAILABLE: "Our payment provider is unavailable at the moment. Please try again later.",
  GUEST_CANCELLED: "You cancelled this booking.",
  NOTIFICATION_ERROR: "The hotel could not be asked to approve the booking.",
  CONFIRMATION_ERROR: "The booking could not be confirmed because of a technical problem.",
  MANAGER_REJECTED: "The hotel declined the booking.",
  APPROVAL_TIMEOUT: "The hotel did not answer in time.",
  COMPENSATION_FAILED: "Something went wrong and our team has been alerted.",
};

// Failures after the payment was taken run the refund; those before it never charged.
const REFUNDED = new Set([
  "MANAGER_REJECTED",
  "APPROVAL_TIMEOUT",
  "NOTIFICATION_ERROR",
  "CONFIRMATION_ERROR",
]);
const NOT_CHARGED = new Set([
  "ROOM_UNAVAILABLE",
  "HOTEL_NOT_FOUND",
  "RESERVATION_ERROR",
  "PAYMENT_DECLINED",
  "PAYMENT_ERROR",
  "PAYMENT_UNAVAILABLE",
]);

// The way to CONFIRMED: each step is done once the booking reached the status after it.
const ORDER = ["PENDING", "ROOM_RESERVED", "PAYMENT_RECORDED", "AWAITING_APPROVAL", "CONFIRMED"];
const PROGRESS = [
  ["Room held", "ROOM_RESERVED"],
  ["Payment taken", "PAYMENT_RECORDED"],
  ["Hotel approval", "CONFIRMED"],
];

export function isFinal(booking) {
  return FINAL.has(booking.status);
}

export function statusKind(status) {
  if (status === "CONFIRMED") return "ok";
  if (status === "REJECTED" || status === "FAILED") return "bad";
  if (status === "EXPIRED" || status === "CANCELLED") return "off";
  return "busy";
}

export function statusBadge(status) {
  return h(
    "span",
    { class: `status ${statusKind(status)}`, "data-status": status },
    STATUS_TEXT[status] ?? status,
  );
}

/** Text ending in one full stop: what someone typed may end in one already. */
export function sentence(text) {
  const t = String(text ?? "").trim();
  return !t || /[.!?…]$/.test(t) ? t : `${t}.`;
}

/** Why a booking ended as it did, in words (null when it did not fail). */
export function reasonText(booking) {
  if (!booking.reason) return null;
  const parts = [REASON_TEXT[booking.reason] ?? "It could not be completed."];
  const detail = String(booking.reasonDetail ?? "").trim();
  if (booking.reason === "MANAGER_REJECTED") {
    if (detail && detail !== "rejected by the hotel")
      parts.push(`The hotel said: “${sentence(detail)}”`);
  }
  if (booking.reason === "GUEST_CANCELLED" && booking.refundCents === 0) {
    parts.push("Under the cancellation policy it was not refunded.");
  } else if (booking.reason === "GUEST_CANCELLED") parts.push("Your payment has been refunded.");
  else if (REFUNDED.has(booking.reason)) parts.push("Your payment has been refunded.");
  else if (NOT_CHARGED.has(booking.reason)) parts.push("You have not been charged.");
  return parts.join(" ");
}

/** Whether the guest asked to cancel and the cancellation is still under way. */
export function isCancelling(booking) {
  return (
    booking.status === "CANCELLING" || (!FINAL.has(booking.status) && !!booking.cancelRequestedAt)
  );
}

/** What a booking in progress is waiting for, and until when, in words (null: nothing to say). */
export function waitingText(booking) {
  if (isCancelling(booking)) {
    return booking.status === "CANCELLING"
      ? "Your booking is being cancelled: the refund and the release of your room take a moment."
      : "Your booking is being cancelled. Anything charged is refunded in full; this page updates when it is done.";
  }
  const waiting = booking.waiting;
  if (!waiting) return null;
  const until = formatMoment(waiting.until);
  if (waiting.kind === "payment") {
    return (
      "Our payment provider is not answering at the moment, so your payment has not gone " +
      `through yet. We keep trying until ${until}; if it still fails, the booking ends and ` +
      "nothing is charged. Your room stays held meanwhile, and you can cancel."
    );
  }
  return (
    "Your payment is taken and the hotel has been asked to accept your booking. It answers by " +
    `${until} at the latest; if it does not, you are refunded in full. You can cancel meanwhile.`
  );
}

/** The cancellation policy as it applies to this booking now (from its `cancellation` terms). */
export function cancellationText(terms) {
  const deadline = formatMoment(terms.deadline);
  const refund = formatMoney(terms.refundCents / 100, terms.currency);
  if (terms.charged === false) {
    return "Nothing has been charged yet: cancelling now charges nothing.";
  }
  if (terms.refundCents > 0) {
    return (
      `Free cancellation until ${deadline} (${count(terms.fullRefundDays, "day")} before ` +
      `check-in): cancelling now refunds ${refund}.`
    );
  }
  return `The free cancellation period ended ${deadline}: cancelling now refunds nothing.`;
}

/** The way to a confirmed stay, the steps done ticked and the one under way marked current. */
export function progress(status) {
  const at = ORDER.indexOf(status);
  const done = PROGRESS.map(([, after]) => at >= ORDER.indexOf(after));
  const current = done.indexOf(false);
  return h(
    "ol",
    { class: "progress", "aria-label": "Progress" },
    PROGRESS.map(([label], i) =>
      h(
        "li",
        {
          class: done[i] ? "done" : i === current ? "current" : null,
          "aria-current": i === current ? "step" : null,
        },
        label,
        done[i] ? h("span", { class: "visually-hidden" }, " (done)") : null,
      ),
    ),
  );
}

export function stayText(booking) {
  const nights = nightsBetween(booking.checkIn, booking.checkOut);
  const rooms = Number(booking.rooms) || 1;
  return `${formatDate(booking.checkIn)} → ${formatDate(booking.checkOut)} · ${count(
    nights,
    "night",
  )} · ${count(rooms, "room")}`;
}
