import { api } from "../api.js";
import { here, startPage } from "../page.js";
import {
  addDays,
  busy,
  clearFieldErrors,
  count,
  formatMoney,
  formatStay,
  h,
  hotelPicture,
  isoDate,
  nightsBetween,
  say,
  showApiError,
  showFieldErrors,
  starsElement,
} from "../ui.js";

const params = new URLSearchParams(location.search);
const hotelId = params.get("id");
const view = document.getElementById("hotel");
const form = document.getElementById("book-form");
const summary = document.getElementById("book-summary");
const total = document.getElementById("total");
const availability = document.getElementById("availability");
const submit = document.getElementById("book-submit");
const signInLink = document.getElementById("sign-in-link");
const MAX_NIGHTS = 30;
const LABELS = { checkIn: "Check-in", checkOut: "Check-out", rooms: "Rooms" };
/** While the stay is sold out, ask again this often (a hold the saga releases comes back). */
const SOLD_OUT_RECHECK_MS = 5_000;
let idempotencyKey = newKey();
let rooms = null; // the last answer for the stay in the form: {roomsLeft, available, ...}
let latestCheck = 0;
let recheck = null;
// Never the native GET (Enter in a date before signing in, or before the page is ready).
form.addEventListener("submit", (event) => event.preventDefault());

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
}

function showHotel(hotel) {
  document.title = `${hotel.name} · Hotel Booking`;
  view.replaceChildren(
    h(
      "article",
      { class: "hotel-detail" },
      hotelPicture(hotel, { width: 640, height: 400, eager: true }),
      h(
        "div",
        {},
        h("h1", {}, hotel.name),
        h(
          "p",
          { class: "meta" },
          starsElement(hotel.stars),
          h("span", { class: "city" }, hotel.city),
        ),
        h(
          "p",
          { class: "price" },
          h("strong", {}, formatMoney(hotel.pricePerNight, hotel.currency)),
          " per room per night",
        ),
        hotel.rooms
          ? h("p", { class: "muted" }, `${count(hotel.rooms, "room")} in the hotel`)
          : null,
      ),
    ),
  );
}

/** What is wrong with the stay in the form (dates and rooms), per field. */
function stayErrors(hotel) {
  const errors = [];
  const { checkIn, checkOut, rooms: wanted } = form.elements;
  if (!checkIn.value) errors.push({ field: "checkIn", message: "Choose a check-in date." });
  else if (checkIn.value < isoDate(0)) {
    errors.push({ field: "checkIn", message: "Check-in cannot be in the past." });
  }
  const nights = nightsBetween(checkIn.value, checkOut.value);
  if (!checkOut.value) errors.push({ field: "checkOut", message: "Choose a check-out date." });
  else if (!(nights >= 1)) {
    errors.push({ field: "checkOut", message: "Check-out must be after check-in." });
  } else if (nights > MAX_NIGHTS) {
    errors.push({ field: "checkOut", message: `A stay is at most ${MAX_NIGHTS} nights.` });
  }
  const n = Number(wanted.value);
  if (!Number.isInteger(n) || n < 1) {
    errors.push({ field: "rooms", message: "Enter a whole number of rooms, at least 1." });
  } else if (hotel.rooms && n > hotel.rooms) {
    errors.push({ field: "rooms", message: `This hotel has ${count(hotel.rooms, "room")}.` });
  }
  return errors;
}

function validate(hotel) {
  const errors = stayErrors(hotel);
  const wanted = Number(form.rooms.value);
  if (!errors.length && rooms && rooms.roomsLeft > 0 && wanted > rooms.roomsLeft) {
    errors.push({
      field: "rooms",
      message: `Only ${count(rooms.roomsLeft, "room")} free for these nights.`,
    });
  }
  if (!form.guestName.value.trim()) {
    errors.push({ field: "guestName", message: "Enter the name of the guest." });
  }
  return errors;
}

// ---------------------------------------------------------------- rooms free for the stay
/** Book is refused (aria-disabled: it stays focusable and reads out why) while sold out. */
function blockBooking(why) {
  if (why) submit.setAttribute("aria-disabled", "true");
  else submit.removeAttribute("aria-disabled");
}

function showRooms(text, kind) {
  availability.textContent = text;
  availability.dataset.kind = kind;
  availability.hidden = !text;
}

/** The stay in the address too: a reload, a bookmark or signing in keeps it. */
function keepStayInAddress() {
  const shown = new URLSearchParams({ id: hotelId });
  for (const name of ["checkIn", "checkOut", "rooms"]) {
    const value = form.elements[name].value;
    if (value && !(name === "rooms" && value === "1")) shown.set(name, value);
  }
  history.replaceState(history.state, "", `?${shown}`);
  signInLink.href = `login.html?next=${encodeURIComponent(here())}`;
}

/** Ask the API how many rooms are free on every night of the stay in the form. */
async function checkRooms(hotel) {
  const mine = ++latestCheck;
  clearTimeout(recheck);
  keepStayInAddress();
  if (summary.dataset.from === "rooms") {
    say(summary, "");
    delete summary.dataset.from;
  }
  const problems = stayErrors(hotel);
  if (problems.length) {
    rooms = null;
    blockBooking(false);
    showRooms(problems[0].message, "info");
    return;
  }
  const stay = {
    checkIn: form.checkIn.value,
    checkOut: form.checkOut.value,
    rooms: form.rooms.value,
  };
  availability.setAttribute("aria-busy", "true");
  try {
    const answer = await api(`/hotels/${encodeURIComponent(hotelId)}`, { query: stay });
    if (mine !== latestCheck) return;
    rooms = answer?.availability ?? null;
    if (!rooms) throw new Error("no answer about rooms");
    const when = formatStay(rooms.checkIn, rooms.checkOut);
    if (rooms.roomsLeft === 0) {
      blockBooking(true);
      showRooms(`Sold out for ${when}. Try other dates.`, "error");
      if (!document.hidden) recheck = setTimeout(() => checkRooms(hotel), SOLD_OUT_RECHECK_MS);
    } else if (!rooms.available) {
      blockBooking(false);
      showRooms(
        `Only ${count(rooms.roomsLeft, "room")} left for ${when}: fewer than you asked for.`,
        "error",
      );
    } else {
      blockBooking(false);
      showRooms(`${count(rooms.roomsLeft, "room")} left for ${when}.`, "ok");
    }
  } catch (error) {
    if (mine !== latestCheck) return;
    rooms = null;
    blockBooking(false); // the booking itself decides
    const field = error.errors?.[0];
    const said = field ? `${LABELS[field.field] ?? field.field} ${field.message}` : error.message;
    showRooms(`The rooms free could not be checked: ${said}.`.replace(/\.\.$/, "."), "info");
  } finally {
    if (mine === latestCheck) availability.removeAttribute("aria-busy");
  }
}

function watchRooms(hotel) {
  let typing = null;
  const soon = () => {
    clearTimeout(typing);
    typing = setTimeout(() => checkRooms(hotel), 250);
  };
  for (const name of ["checkIn", "checkOut", "rooms"]) {
    form.elements[name].addEventListener("input", soon);
    form.elements[name].addEventListener("change", soon);
  }
  // Back from elsewhere (another tab, the back button): what is free may have changed.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) checkRooms(hotel);
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) checkRooms(hotel);
  });
  return checkRooms(hotel);
}

function updateTotal(hotel) {
  const nights = nightsBetween(form.checkIn.value, form.checkOut.value);
  const rooms = Number(form.rooms.value);
  if (nights >= 1 && nights <= MAX_NIGHTS && Number.isInteger(rooms) && rooms >= 1) {
    const amount = Number(hotel.pricePerNight) * nights * rooms;
    total.textContent = `${nights} night${nights === 1 ? "" : "s"} × ${rooms} room${
      rooms === 1 ? "" : "s"
    }: ${formatMoney(amount, hotel.currency)}`;
  } else {
    total.textContent = "";
  }
}

async function main() {
  const started = await startPage();
  if (!started) return;
  const { user } = started;
  if (!hotelId) {
    view.setAttribute("aria-busy", "false");
    view.replaceChildren(
      h("h1", {}, "No hotel chosen"),
      h("p", {}, h("a", { href: "index.html" }, "Find a hotel")),
    );
    return;
  }
  let hotel;
  try {
    hotel = await api(`/hotels/${encodeURIComponent(hotelId)}`);
  } catch (error) {
    view.replaceChildren(
      h("h1", {}, error.status === 404 ? "Hotel not found" : "The hotel could not be loaded"),
      h("p", { role: "alert" }, error.status === 404 ? "It may have been removed." : error.message),
    );
    return;
  } finally {
    view.setAttribute("aria-busy", "false");
  }
  showHotel(hotel);
  document.getElementById("book").hidden = false;
  const checkIn = params.get("checkIn") || isoDate(1);
  form.checkIn.value = checkIn;
  form.checkOut.value = params.get("checkOut") || addDays(checkIn, 2);
  form.rooms.value = params.get("rooms") || "1";
  form.checkIn.min = isoDate(0);
  if (hotel.rooms) form.rooms.max = hotel.rooms;
  form.checkIn.addEventListener("change", () => {
    if (!form.checkIn.value) return;
    form.checkOut.min = addDays(form.checkIn.value, 1);
    if (!(nightsBetween(form.checkIn.value, form.checkOut.value) >= 1)) {
      form.checkOut.value = addDays(form.checkIn.value, 1);
    }
    updateTotal(hotel);
  });
  const checked = watchRooms(hotel);
  if (!user) {
    document.getElementById("sign-in-to-book").hidden = false;
    await checked;
    return;
  }
  document.getElementById("guest-fields").hidden = false;
  form.guestName.value = user.name === user.email ? "" : user.name;
  updateTotal(hotel);
  form.addEventListener("input", () => updateTotal(hotel));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    say(summary, "");
    if (submit.getAttribute("aria-disabled") === "true") {
      say(summary, availability.textContent, "error");
      summary.dataset.from = "rooms"; // gone again when other dates are chosen
      summary.focus();
      return;
    }
    const errors = validate(hotel);
    if (errors.length) {
      showFieldErrors(form, errors);
      return;
    }
    await busy(submit, async () => {
      try {
        const booking = await api("/bookings", {
          method: "POST",
          headers: { "Idempotency-Key": idempotencyKey },
          json: {
            hotelId: hotel.hotelId,
            checkIn: form.checkIn.value,
            checkOut: form.checkOut.value,
            rooms: Number(form.rooms.value),
            guestName: form.guestName.value.trim(),
            paymentToken: form.paymentToken.value,
          },
        });
        idempotencyKey = newKey();
        location.href = `bookings.html?new=${encodeURIComponent(booking.bookingId)}`;
      } catch (error) {
        // A retry after a network or server error keeps the key: the API books at most once.
        if (error.status >= 400 && error.status < 500) idempotencyKey = newKey();
        if (error.status === 401) {
          location.href = `login.html?next=${encodeURIComponent(here())}`;
          return;
        }
        showApiError(form, summary, error);
        checkRooms(hotel); // taken meanwhile? say so beside the dates
      }
    });
  });
}

main();
