import { api, itemsOf } from "../api.js";
import {
  cancellationText,
  FINAL,
  isCancelling,
  isFinal,
  progress,
  reasonText,
  sentence,
  STATUS_TEXT,
  statusBadge,
  stayText,
  waitingText,
} from "../bookings.js";
import { here, startPage } from "../page.js";
import { formatMoney, h, say } from "../ui.js";

const POLL_MS = 1500;
const section = document.getElementById("bookings");
const announcer = document.getElementById("announcer");
const listError = document.getElementById("list-error");
const moreButton = document.getElementById("more");
const params = new URLSearchParams(location.search);
const justBooked = params.get("new"); // from the booking form
const highlight = justBooked ?? params.get("booking"); // or from a link in an email
const bookings = new Map(); // bookingId → booking, in display order
/** Bookings whose "Cancel this booking?" step is open: a refresh of the card keeps it open. */
const confirming = new Set();
let nextToken = null;
let timer = null;
let user = null;

function card(booking) {
  const reason = reasonText(booking);
  const waiting = waitingText(booking);
  const cancelling = isCancelling(booking);
  const amount = booking.amount != null ? formatMoney(booking.amount, booking.currency) : null;
  return h(
    "article",
    {
      class: `booking${booking.bookingId === highlight ? " highlight" : ""}`,
      id: `booking-${booking.bookingId}`,
      "data-booking-id": booking.bookingId,
      "data-status": booking.status,
    },
    h(
      "header",
      {},
      h(
        "h2",
        {},
        booking.hotelId
          ? h(
              "a",
              { href: `hotel.html?id=${encodeURIComponent(booking.hotelId)}` },
              booking.hotelName || "Hotel",
            )
          : booking.hotelName || "Hotel",
      ),
      statusBadge(cancelling ? "CANCELLING" : booking.status),
    ),
    h("p", { class: "stay" }, stayText(booking)),
    booking.guest?.name || booking.guestName
      ? h("p", { class: "muted" }, `Guest: ${booking.guest?.name ?? booking.guestName}`)
      : null,
    amount ? h("p", {}, "Total: ", h("strong", {}, amount)) : null,
    // A booking being cancelled is off the way to a stay: no tracker to jump back to step 1.
    isFinal(booking) || cancelling ? null : progress(booking.status),
    waiting ? h("p", { class: "notice waiting", "data-testid": "waiting" }, waiting) : null,
    reason ? h("p", { class: "reason", "data-testid": "reason" }, reason) : null,
    booking.status === "CONFIRMED"
      ? h(
          "p",
          { class: "reason" },
          "Your stay is confirmed; the details are on their way to your email.",
        )
      : null,
    booking.managerNote && !cancelling && booking.status === "CONFIRMED"
      ? h(
          "p",
          { "data-testid": "manager-note" },
          "The hotel says: ",
          h("q", {}, sentence(booking.managerNote)),
        )
      : null,
    mine(booking) && booking.cancellation ? cancelBox(booking) : null,
    h("footer", { class: "muted small" }, `Booking reference ${booking.bookingId}`),
  );
}

/** The policy, a Cancel button, and a confirm step before anything is sent. */
function cancelBox(booking) {
  const terms = booking.cancellation;
  const box = h("div", { class: "cancel", "data-testid": "cancel" });
  const policy = h(
    "p",
    { class: "muted small", "data-testid": "cancel-policy" },
    cancellationText(terms),
  );
  const error = h("p", { class: "notice error", role: "alert", hidden: true });
  const ask = () => {
    confirming.delete(booking.bookingId);
    box.replaceChildren(
      policy,
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          "data-action": "cancel",
          onclick: () => askConfirm().focus(),
        },
        "Cancel booking",
      ),
      error,
    );
  };
  const askConfirm = () => {
    confirming.add(booking.bookingId);
    const yes = h(
      "button",
      {
        type: "button",
        class: "contrast",
        "data-action": "confirm-cancel",
        onclick: () => send(yes),
      },
      "Yes, cancel it",
    );
    box.replaceChildren(
      h(
        "p",
        { "data-testid": "cancel-confirm" },
        h("strong", {}, "Cancel this booking? "),
        terms.charged === false
          ? "Nothing has been charged, and nothing will be."
          : terms.refundCents > 0
            ? `You will be refunded ${formatMoney(terms.refundCents / 100, terms.currency)}.`
            : "You will not be refunded.",
      ),
      h(
        "div",
        { role: "group" },
        yes,
        h("button", { type: "button", class: "secondary", onclick: ask }, "Keep booking"),
      ),
      error,
    );
    return yes;
  };
  const send = async (button) => {
    button.disabled = true;
    try {
      const accepted = await api(`/bookings/${encodeURIComponent(booking.bookingId)}/cancel`, {
        method: "POST",
      });
      const current = bookings.get(booking.bookingId);
      // A booking still under way keeps its status until the saga's next step ends it.
      update({
        ...current,
        status:
          isFinal(current) || current.status === "CONFIRMED" ? accepted.status : current.status,
        cancelRequestedAt: current.cancelRequestedAt ?? new Date().toISOString(),
        cancellation: null,
      });
      confirming.delete(booking.bookingId);
      schedulePoll();
    } catch (failure) {
      if (failure.status === 401) location.href = `login.html?next=${encodeURIComponent(here())}`;
      // The API's message names the booking by id; the guest knows which one they mean.
      const why = String(failure.message).replaceAll(`booking ${booking.bookingId}`, "it");
      say(error, `The booking could not be cancelled: ${why}`, "error");
      button.disabled = false;
    }
  };
  if (confirming.has(booking.bookingId)) askConfirm();
  else ask();
  return box;
}

function render() {
  const cards = [...bookings.values()].map(card);
  section.replaceChildren(...cards);
  if (!cards.length) {
    section.append(
      h("p", {}, "You have no bookings yet. ", h("a", { href: "index.html" }, "Find a hotel")),
    );
  }
}

/**
 * A refreshed booking: its card is rebuilt only if something in it changed, and then keeps
 * the open confirm step and the focused button (a guest about to press "Yes, cancel it" must
 * not see it vanish under the pointer at the next poll).
 */
function update(booking) {
  const before = bookings.get(booking.bookingId);
  const merged = { ...before, ...booking };
  bookings.set(booking.bookingId, merged);
  const old = document.getElementById(`booking-${booking.bookingId}`);
  if (old && JSON.stringify(before) === JSON.stringify(merged)) return;
  const focused = old?.contains(document.activeElement)
    ? document.activeElement.dataset.action
    : null;
  const fresh = card(merged);
  if (old) old.replaceWith(fresh);
  else render();
  if (focused) fresh.querySelector(`[data-action="${focused}"]`)?.focus();
  if (before && before.status !== booking.status) {
    const where = booking.hotelName || before.hotelName || "your hotel";
    const reason = reasonText(booking);
    say(
      announcer,
      `Booking at ${where}: ${STATUS_TEXT[booking.status] ?? booking.status}.${reason ? ` ${reason}` : ""}`,
    );
  }
}

/** The list also holds the bookings an admin or a manager may see; this page shows one's own. */
function mine(booking) {
  const email = booking.guest?.email;
  return !email || !user?.email || email.toLowerCase() === user.email.toLowerCase();
}

async function loadPage(token) {
  let added = 0;
  let pages = 0;
  do {
    const data = await api("/bookings", { query: { nextToken: token } });
    for (const booking of itemsOf(data).filter(mine)) {
      if (!bookings.has(booking.bookingId)) {
        bookings.set(booking.bookingId, booking);
        added += 1;
      }
    }
    token = data?.nextToken ?? null;
    pages += 1;
  } while (token && !added && pages < 5);
  nextToken = token;
  moreButton.hidden = !nextToken;
}

/** While any shown booking is still on its way, ask for it again every POLL_MS. */
function schedulePoll() {
  clearTimeout(timer);
  const open = [...bookings.values()].filter((b) => !FINAL.has(b.status));
  if (!open.length || document.hidden) return;
  timer = setTimeout(async () => {
    await Promise.all(
      open.map(async (b) => {
        try {
          update(await api(`/bookings/${encodeURIComponent(b.bookingId)}`));
          say(listError, "");
        } catch (error) {
          if (error.status === 401) location.href = `login.html?next=${encodeURIComponent(here())}`;
          else say(listError, `Could not refresh a booking: ${error.message}. Retrying…`, "error");
        }
      }),
    );
    schedulePoll();
  }, POLL_MS);
}

async function main() {
  const started = await startPage({ requires: "user" });
  if (!started) return;
  user = started.user;
  try {
    await loadPage();
    if (highlight && !bookings.has(highlight)) {
      // Just booked: show it first even if the list has not caught up yet.
      const fresh = await api(`/bookings/${encodeURIComponent(highlight)}`);
      const rest = [...bookings];
      bookings.clear();
      bookings.set(fresh.bookingId, fresh);
      for (const [id, b] of rest) bookings.set(id, b);
    }
  } catch (error) {
    if (error.status === 401) {
      location.href = `login.html?next=${encodeURIComponent(here())}`;
      return;
    }
    say(listError, `Your bookings could not be loaded: ${error.message}`, "error");
  } finally {
    section.setAttribute("aria-busy", "false");
  }
  render();
  if (justBooked) say(announcer, "Booking received. This page follows it as it goes through.");
  if (highlight) {
    document.getElementById(`booking-${highlight}`)?.scrollIntoView({ block: "nearest" });
  }
  schedulePoll();
  document.addEventListener("visibilitychange", schedulePoll);
  moreButton.addEventListener("click", async () => {
    moreButton.disabled = true;
    try {
      await loadPage(nextToken);
      render();
      schedulePoll();
    } catch (error) {
      say(listError, `More bookings could not be loaded: ${error.message}`, "error");
    } finally {
      moreButton.disabled = false;
    }
  });
}

main();
