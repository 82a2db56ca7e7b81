import { api } from "../api.js";
import { here, startPage } from "../page.js";
import {
  addDays,
  busy,
  clearFieldErrors,
  formatMoney,
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
const MAX_NIGHTS = 30;
let idempotencyKey = newKey();

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
        hotel.rooms ? h("p", { class: "muted" }, `${hotel.rooms} rooms in the hotel`) : null,
      ),
    ),
  );
}

function validate(hotel) {
  const errors = [];
  const { checkIn, checkOut, rooms, guestName } = form.elements;
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
  const n = Number(rooms.value);
  if (!Number.isInteger(n) || n < 1) {
    errors.push({ field: "rooms", message: "Enter a whole number of rooms, at least 1." });
  } else if (hotel.rooms && n > hotel.rooms) {
    errors.push({ field: "rooms", message: `This hotel has ${hotel.rooms} rooms.` });
  }
  if (!guestName.value.trim()) {
    errors.push({ field: "guestName", message: "Enter the name of the guest." });
  }
  return errors;
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
  if (!user) {
    document.getElementById("sign-in-link").href = `login.html?next=${encodeURIComponent(here())}`;
    document.getElementById("sign-in-to-book").hidden = false;
    return;
  }
  form.hidden = false;
  const checkIn = params.get("checkIn") || isoDate(1);
  form.checkIn.value = checkIn;
  form.checkOut.value = params.get("checkOut") || addDays(checkIn, 2);
  form.checkIn.min = isoDate(0);
  if (hotel.rooms) form.rooms.max = hotel.rooms;
  form.guestName.value = user.name === user.email ? "" : user.name;
  updateTotal(hotel);
  form.addEventListener("input", () => updateTotal(hotel));
  form.checkIn.addEventListener("change", () => {
    if (!form.checkIn.value) return;
    form.checkOut.min = addDays(form.checkIn.value, 1);
    if (!(nightsBetween(form.checkIn.value, form.checkOut.value) >= 1)) {
      form.checkOut.value = addDays(form.checkIn.value, 1);
    }
    updateTotal(hotel);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    say(summary, "");
    const errors = validate(hotel);
    if (errors.length) {
      showFieldErrors(form, errors);
      return;
    }
    await busy(document.getElementById("book-submit"), async () => {
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
      }
    });
  });
}

main();
