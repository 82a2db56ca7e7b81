import { api, itemsOf } from "../api.js";
import { stayText } from "../bookings.js";
import { here, startPage } from "../page.js";
import { clearFieldErrors, formatMoney, h, say, showApiError } from "../ui.js";

const REFRESH_MS = 5000;
const section = document.getElementById("pending");
const announcer = document.getElementById("announcer");
const listError = document.getElementById("list-error");
const deciding = new Set();
/**
 * Decided here: the list comes from an eventually consistent index, so a refresh right after
 * a decision may still say AWAITING_APPROVAL; such a booking is not shown again.
 */
const decided = new Set();

function card(booking) {
  const id = booking.bookingId;
  const guest = booking.guest?.name ?? booking.guestName ?? "";
  const email = booking.guest?.email ?? "";
  const amount = booking.amount != null ? formatMoney(booking.amount, booking.currency) : "";
  const form = h(
    "form",
    { class: "decision", novalidate: true, "aria-label": `Decision on booking ${id}` },
    h("div", { class: "form-summary", role: "alert", tabindex: "-1", hidden: true }),
    h("label", { for: `reason-${id}` }, "Reason (optional, shown to the guest)"),
    h("textarea", { id: `reason-${id}`, name: "reason", rows: "2", maxlength: "500" }),
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "submit", name: "decision", value: "approve" }, "Approve"),
      h(
        "button",
        { type: "submit", name: "decision", value: "reject", class: "secondary" },
        "Reject",
      ),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    decide(booking, form, event.submitter?.value ?? "approve");
  });
  return h(
    "article",
    { class: "booking", id: `booking-${id}`, "data-booking-id": id },
    h(
      "header",
      {},
      h("h2", {}, booking.hotelName || "Hotel"),
      amount ? h("strong", {}, amount) : null,
    ),
    h("p", { class: "stay" }, stayText(booking)),
    h("p", {}, "Guest: ", h("strong", {}, guest), email ? ` (${email})` : ""),
    form,
    h("footer", { class: "muted small" }, `Booking ${id}`),
  );
}

async function decide(booking, form, decision) {
  const summary = form.querySelector(".form-summary");
  clearFieldErrors(form);
  say(summary, "");
  const buttons = [...form.querySelectorAll("button")];
  const pressed = buttons.find((b) => b.value === decision);
  for (const b of buttons) b.disabled = true;
  pressed.setAttribute("aria-busy", "true");
  deciding.add(booking.bookingId);
  const reason = form.reason.value.trim();
  try {
    await api(`/bookings/${encodeURIComponent(booking.bookingId)}/decision`, {
      method: "POST",
      json: reason ? { decision, reason } : { decision },
    });
    decided.add(booking.bookingId);
    const done = decision === "approve" ? "Approved" : "Rejected";
    say(
      announcer,
      `${done}: ${booking.guest?.name ?? "the guest"}'s booking at ${booking.hotelName ?? "your hotel"}.`,
      "ok",
    );
    document.getElementById(`booking-${booking.bookingId}`)?.remove();
    if (!section.querySelector("article")) showEmpty();
  } catch (error) {
    if (error.status === 401) {
      location.href = `login.html?next=${encodeURIComponent(here())}`;
      return;
    }
    showApiError(form, summary, error);
    for (const b of buttons) b.disabled = false;
  } finally {
    pressed.removeAttribute("aria-busy");
    deciding.delete(booking.bookingId);
  }
}

function showEmpty() {
  section.replaceChildren(h("p", { class: "empty" }, "Nothing is waiting for your approval."));
}

/** Add new requests and drop decided ones, leaving the cards being worked on as they are. */
async function refresh() {
  try {
    const items = itemsOf(
      await api("/bookings", { query: { status: "AWAITING_APPROVAL" } }),
    ).filter((b) => !decided.has(b.bookingId));
    say(listError, "");
    const wanted = new Set(items.map((b) => b.bookingId));
    for (const article of section.querySelectorAll("article.booking")) {
      const id = article.dataset.bookingId;
      if (!wanted.has(id) && !deciding.has(id)) article.remove();
    }
    section.querySelector(".empty")?.remove();
    for (const booking of items) {
      if (!document.getElementById(`booking-${booking.bookingId}`)) section.append(card(booking));
    }
    if (!section.querySelector("article")) showEmpty();
  } catch (error) {
    if (error.status === 401) {
      location.href = `login.html?next=${encodeURIComponent(here())}`;
      return;
    }
    say(listError, `Pending bookings could not be loaded: ${error.message}`, "error");
  } finally {
    section.setAttribute("aria-busy", "false");
  }
}

async function main() {
  if (!(await startPage({ requires: "HotelManager" }))) return;
  await refresh();
  document.getElementById("refresh").addEventListener("click", refresh);
  setInterval(() => {
    if (!document.hidden) refresh();
  }, REFRESH_MS);
}

main();
