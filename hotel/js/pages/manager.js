import { api, pagesOf } from "../api.js";
import { sentence, stayText } from "../bookings.js";
import { here, startPage } from "../page.js";
import {
  clearFieldErrors,
  count,
  formatDate,
  formatMoment,
  formatMoney,
  h,
  isoDate,
  nightsBetween,
  say,
  showApiError,
} from "../ui.js";

const REFRESH_MS = 5000;
/** Pages read per refresh (each a bounded read): the waiting list, the arrivals and decisions. */
const PENDING_PAGES = 10;
const LISTED_PAGES = 5;
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
    h("label", { for: `reason-${id}` }, "Note or reason for the guest (optional)"),
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
    booking.waiting?.kind === "approval"
      ? h(
          "p",
          { class: "deadline", "data-testid": "deadline" },
          "Answer by ",
          h("strong", {}, formatMoment(booking.waiting.until)),
          ": after that the booking expires and the guest is refunded.",
        )
      : null,
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
    setTimeout(() => {
      showHistory();
    }, 1500); // the saga confirms or refunds in a moment
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
    const waiting = await pagesOf("/bookings", { status: "AWAITING_APPROVAL" }, PENDING_PAGES);
    const items = waiting.items.filter((b) => !decided.has(b.bookingId));
    say(listError, "");
    say(
      document.getElementById("pending-more"),
      waiting.more
        ? `Showing the first ${count(items.length, "waiting booking")}; more follow as these are decided.`
        : "",
    );
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

const ARRIVALS_SHOWN = 10;
const DECISIONS_SHOWN = 10;

async function listed(status) {
  return (await pagesOf("/bookings", { status }, LISTED_PAGES)).items;
}

/** Arrivals and decisions, from one read of each list they need (both show confirmed stays). */
function showHistory() {
  const confirmed = listed("CONFIRMED");
  showArrivals(confirmed);
  showDecisions(confirmed, listed("REJECTED"));
}

/** Confirmed stays still to come at the hotels one manages, the soonest first. */
async function showArrivals(confirmed) {
  const box = document.getElementById("arrivals");
  try {
    const today = isoDate(0);
    const coming = (await confirmed)
      .filter((b) => b.checkOut > today)
      .sort((a, b) => a.checkIn.localeCompare(b.checkIn))
      .slice(0, ARRIVALS_SHOWN);
    box.replaceChildren(
      coming.length
        ? h(
            "div",
            { class: "overflow-auto" },
            h(
              "table",
              { class: "arrivals" },
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  ["Arrives", "Guest", "Hotel", "Stay"].map((t) => h("th", { scope: "col" }, t)),
                ),
              ),
              h(
                "tbody",
                {},
                coming.map((b) =>
                  h(
                    "tr",
                    { "data-booking-id": b.bookingId },
                    h("td", {}, formatDate(b.checkIn)),
                    h("td", {}, b.guest?.name ?? ""),
                    h("td", {}, b.hotelName ?? ""),
                    h(
                      "td",
                      {},
                      `${count(nightsBetween(b.checkIn, b.checkOut), "night")}, ${count(
                        Number(b.rooms) || 1,
                        "room",
                      )}`,
                    ),
                  ),
                ),
              ),
            ),
          )
        : h("p", { class: "empty" }, "No confirmed stays to come."),
    );
  } catch (error) {
    box.replaceChildren(
      h("p", { class: "notice error" }, `Arrivals could not be loaded: ${error.message}`),
    );
  } finally {
    box.setAttribute("aria-busy", "false");
  }
}

/** The latest approvals and rejections (confirmed and declined bookings), newest first. */
async function showDecisions(confirmed, rejected) {
  const box = document.getElementById("decisions");
  try {
    const [approved, declined] = await Promise.all([confirmed, rejected]);
    const latest = [...approved, ...declined]
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .slice(0, DECISIONS_SHOWN);
    box.replaceChildren(
      latest.length
        ? h(
            "ul",
            { class: "decisions" },
            latest.map((b) =>
              h(
                "li",
                { "data-booking-id": b.bookingId },
                h(
                  "span",
                  { class: `status ${b.status === "CONFIRMED" ? "ok" : "bad"}` },
                  b.status === "CONFIRMED" ? "Approved" : "Rejected",
                ),
                ` ${b.guest?.name ?? ""} at ${b.hotelName ?? "your hotel"}, ${formatDate(
                  b.checkIn,
                )}`,
                b.status === "REJECTED" &&
                  b.reasonDetail &&
                  b.reasonDetail !== "rejected by the hotel"
                  ? h("span", { class: "muted" }, ` — “${sentence(b.reasonDetail)}”`)
                  : b.managerNote
                    ? h("span", { class: "muted" }, ` — “${sentence(b.managerNote)}”`)
                    : null,
              ),
            ),
          )
        : h("p", { class: "empty" }, "No decisions yet."),
    );
  } catch (error) {
    box.replaceChildren(
      h("p", { class: "notice error" }, `Decisions could not be loaded: ${error.message}`),
    );
  } finally {
    box.setAttribute("aria-busy", "false");
  }
}

async function main() {
  if (!(await startPage({ requires: "HotelManager" }))) return;
  await refresh();
  showHistory();
  document.getElementById("refresh").addEventListener("click", refresh);
  let ticks = 0;
  setInterval(() => {
    if (document.hidden) return;
    refresh();
    // Arrivals and decisions change with the saga after a decision: every other refresh.
    ticks += 1;
    if (ticks % 2 === 0) {
      showHistory();
    }
  }, REFRESH_MS);
}

main();
