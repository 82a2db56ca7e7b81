import { itemsOf, searchHotels } from "../api.js";
import { startPage } from "../page.js";
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

const form = document.getElementById("search-form");
const summary = document.getElementById("search-summary");
const results = document.getElementById("results");
const heading = document.getElementById("results-heading");
const list = document.getElementById("hotel-list");
const resultsError = document.getElementById("results-error");
const more = document.getElementById("more");
const FIELDS = ["city", "name", "minStars", "maxPrice", "checkIn", "checkOut", "rooms", "sort"];

function criteria() {
  return Object.fromEntries(FIELDS.map((name) => [name, form.elements[name].value.trim()]));
}

function validate(query) {
  const errors = [];
  if (query.rooms && !(Number.isInteger(Number(query.rooms)) && Number(query.rooms) >= 1)) {
    errors.push({ field: "rooms", message: "Enter a whole number of rooms, 1 or more." });
  }
  if (query.maxPrice && !(Number(query.maxPrice) > 0)) {
    errors.push({ field: "maxPrice", message: "Enter a price above 0, or leave it empty." });
  }
  if (Boolean(query.checkIn) !== Boolean(query.checkOut)) {
    const missing = query.checkIn ? "checkOut" : "checkIn";
    errors.push({ field: missing, message: "Enter both dates, or neither." });
  } else if (query.checkIn) {
    if (query.checkIn < isoDate(0)) {
      errors.push({ field: "checkIn", message: "Check-in cannot be in the past." });
    }
    if (!(nightsBetween(query.checkIn, query.checkOut) >= 1)) {
      errors.push({ field: "checkOut", message: "Check-out must be after check-in." });
    }
  }
  return errors;
}

function card(hotel, query) {
  const params = new URLSearchParams({ id: hotel.hotelId });
  if (query.checkIn && query.checkOut) {
    params.set("checkIn", query.checkIn);
    params.set("checkOut", query.checkOut);
    if (query.rooms && query.rooms !== "1") params.set("rooms", query.rooms);
  }
  return h(
    "li",
    {},
    h(
      "article",
      { class: "hotel-card", "data-hotel-id": hotel.hotelId },
      hotelPicture(hotel),
      h(
        "div",
        { class: "hotel-card-body" },
        h("h3", {}, h("a", { href: `hotel.html?${params}`, class: "stretched" }, hotel.name)),
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
          " per night",
        ),
      ),
    ),
  );
}

let latestSearch = 0;
let shownCount = 0;
let nextPage = null;
let current = {}; // the search the list shows, for "Show more hotels"

function describe(query) {
  const filtered = Object.entries(query).some(([key, value]) => key !== "sort" && Boolean(value));
  const count = `${shownCount}${nextPage ? "+" : ""}`;
  heading.textContent =
    shownCount === 0
      ? "No hotels found"
      : `${count} hotel${shownCount === 1 ? "" : "s"}${filtered ? " found" : ""}`;
  return filtered;
}

/** Pages read in a row, at most, while they come back empty. */
const READ_ON = 5;

/** One page of the search; `after` continues the list with the page after it. */
async function search(query, after = null) {
  // Only the newest search may draw the list: an older, slower answer arriving late would
  // replace the results (and the link a user just focused) under their feet.
  const mine = ++latestSearch;
  results.setAttribute("aria-busy", "true");
  say(resultsError, "");
  try {
    // A page reads a bounded number of hotels, so a selective filter may answer few or none
    // with a nextToken: read on (a few pages at most) until there is something to show.
    let page = await searchHotels({ ...query, nextToken: after ?? "" });
    const hotels = [...itemsOf(page)];
    for (let reads = 1; !hotels.length && page?.nextToken && reads < READ_ON; reads++) {
      if (mine !== latestSearch) return;
      page = await searchHotels({ ...query, nextToken: page.nextToken });
      hotels.push(...itemsOf(page));
    }
    if (mine !== latestSearch) return;
    const cards = hotels.map((hotel) => card(hotel, query));
    if (after) list.append(...cards);
    else list.replaceChildren(...cards);
    shownCount = (after ? shownCount : 0) + hotels.length;
    nextPage = page?.nextToken ?? null;
    more.hidden = !nextPage;
    const filtered = describe(query);
    if (shownCount === 0) {
      list.append(
        h(
          "li",
          { class: "empty" },
          filtered
            ? "Nothing matches. Try another city or name, fewer stars, a higher price or other dates."
            : "There are no hotels yet.",
        ),
      );
    }
    if (after) cards[0]?.querySelector("a")?.focus();
  } catch (error) {
    if (mine !== latestSearch) return;
    heading.textContent = "Hotels";
    list.replaceChildren();
    more.hidden = true;
    if (error.errors?.length) showApiError(form, summary, error);
    else say(resultsError, `Hotels could not be loaded: ${error.message}`, "error");
  } finally {
    if (mine === latestSearch) results.setAttribute("aria-busy", "false");
  }
}

async function main() {
  if (!(await startPage())) return;
  const params = new URLSearchParams(location.search);
  for (const name of FIELDS) {
    if (params.has(name)) form.elements[name].value = params.get(name);
  }
  form.checkIn.min = isoDate(0);
  form.checkOut.min = isoDate(1);
  form.checkIn.addEventListener("change", () => {
    if (form.checkIn.value) form.checkOut.min = addDays(form.checkIn.value, 1);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    say(summary, "");
    const query = criteria();
    const errors = validate(query);
    if (errors.length) {
      showFieldErrors(form, errors);
      return;
    }
    const shown = new URLSearchParams(Object.entries(query).filter(([, v]) => v));
    history.replaceState(null, "", shown.size ? `?${shown}` : location.pathname);
    current = query;
    await busy(document.getElementById("search-submit"), () => search(query));
  });
  more.addEventListener("click", () => {
    if (nextPage) busy(more, () => search(current, nextPage));
  });
  current = criteria();
  if (validate(current).length) current = {};
  await search(current);
}

main();
