import { api, itemsOf } from "../api.js";
import { validateHotel } from "../hotelForm.js";
import { fillManagerSelect, loadManagers } from "../managers.js";
import { here, startPage } from "../page.js";
import {
  busy,
  clearFieldErrors,
  count,
  formatMoney,
  h,
  hotelPicture,
  say,
  showApiError,
  showFieldErrors,
  starsElement,
} from "../ui.js";

const rows = document.getElementById("hotel-rows");
const more = document.getElementById("more");
const section = document.getElementById("hotels");
const announcer = document.getElementById("announcer");
const listError = document.getElementById("list-error");
const editDialog = document.getElementById("edit-dialog");
const editForm = document.getElementById("edit-form");
const editSummary = document.getElementById("edit-summary");
const deleteDialog = document.getElementById("delete-dialog");
const deleteError = document.getElementById("delete-error");
const FIELDS = ["name", "city", "stars", "pricePerNight", "rooms", "managerEmail"];
let editing = null;
let editingManager = null;
let deleting = null;
let opener = null;
let nextToken = null;

function signInAgain(error) {
  if (error.status !== 401) return false;
  location.href = `login.html?next=${encodeURIComponent(here())}`;
  return true;
}

// The manager's email subscription to the hotel's approval requests (its own SNS topic).
const SUBSCRIPTION_TEXT = {
  Confirmed: "Manager confirmed the approval emails.",
  PendingConfirmation:
    "Waiting for the manager to confirm the approval emails (the link in the AWS Notification " +
    "email). Until then they decide on the manager dashboard.",
  NotSubscribed: "The manager gets no approval emails; they decide on the manager dashboard.",
};

async function showSubscription(hotelId, target) {
  try {
    const answer = await api(`/hotels/${encodeURIComponent(hotelId)}/subscription`);
    target.textContent = SUBSCRIPTION_TEXT[answer.state] ?? "";
    target.dataset.state = answer.state;
  } catch {
    target.textContent = "";
  }
}

function row(hotel) {
  const subscription = h("p", { class: "subscription muted", "aria-live": "polite" });
  showSubscription(hotel.hotelId, subscription);
  return h(
    "li",
    { id: `hotel-${hotel.hotelId}`, "data-hotel-id": hotel.hotelId },
    h(
      "article",
      {},
      hotelPicture(hotel, { width: 120, height: 75 }),
      h(
        "div",
        { class: "info" },
        h(
          "h2",
          {},
          h("a", { href: `hotel.html?id=${encodeURIComponent(hotel.hotelId)}` }, hotel.name),
        ),
        h(
          "p",
          { class: "meta" },
          starsElement(hotel.stars),
          h("span", {}, hotel.city),
          h("span", {}, `${formatMoney(hotel.pricePerNight, hotel.currency)} / night`),
          h("span", {}, count(hotel.rooms, "room")),
        ),
        subscription,
      ),
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            class: "secondary outline small",
            "aria-label": `Edit ${hotel.name}`,
            onclick: (e) => openEdit(hotel, e.currentTarget),
          },
          "Edit",
        ),
        h(
          "button",
          {
            type: "button",
            class: "danger outline small",
            "aria-label": `Delete ${hotel.name}`,
            onclick: (e) => openDelete(hotel, e.currentTarget),
          },
          "Delete",
        ),
      ),
    ),
  );
}

async function load() {
  section.setAttribute("aria-busy", "true");
  try {
    // A page at a time (GET /admin/hotels pages like every list); "Show more" reads on.
    const page = await api("/admin/hotels", { query: { nextToken } });
    const hotels = itemsOf(page);
    if (nextToken) rows.append(...hotels.map(row));
    else rows.replaceChildren(...hotels.map(row));
    nextToken = page?.nextToken ?? null;
    more.hidden = !nextToken;
    if (!rows.children.length) {
      rows.append(
        h(
          "li",
          { class: "empty" },
          "No hotels yet. ",
          h("a", { href: "addHotel.html" }, "Add one"),
        ),
      );
    }
  } catch (error) {
    say(listError, `Hotels could not be loaded: ${error.message}`, "error");
  } finally {
    section.setAttribute("aria-busy", "false");
  }
}

function close(dialog) {
  dialog.close();
  opener?.focus();
}

async function openEdit(hotel, button) {
  opener = button;
  editing = hotel;
  clearFieldErrors(editForm);
  say(editSummary, "");
  let full = hotel;
  let managers = [];
  editingManager = null;
  try {
    const id = encodeURIComponent(hotel.hotelId);
    // The public read has the latest fields; who manages the hotel is an Admin-only read.
    const [fresh, manager, users] = await Promise.all([
      api(`/hotels/${id}`),
      api(`/hotels/${id}/manager`),
      loadManagers(),
    ]);
    full = { ...hotel, ...fresh, managerEmail: manager.managerEmail };
    editingManager = manager;
    managers = users;
  } catch (error) {
    if (signInAgain(error)) return;
    say(editSummary, `The hotel's manager could not be loaded: ${error.message}`, "error");
  }
  fillManagerSelect(editForm.managerEmail, managers, {
    current: editingManager,
    placeholder: editingManager ? null : "Keep the current manager",
  });
  for (const name of FIELDS) {
    if (name !== "managerEmail") editForm.elements[name].value = full[name] ?? "";
  }
  document.getElementById("edit-title").textContent = `Edit ${hotel.name}`;
  editDialog.showModal();
  editForm.name.focus();
}

function openDelete(hotel, button) {
  opener = button;
  deleting = hotel;
  say(deleteError, "");
  document.getElementById("delete-title").textContent = `Delete ${hotel.name}?`;
  document.getElementById("delete-text").textContent =
    `${hotel.name} in ${hotel.city} will no longer be listed or bookable, and its picture and ` +
    "room calendar are deleted. A hotel with bookings in progress or stays still to come " +
    "cannot be deleted: you will be told, and nothing changes. This cannot be undone.";
  deleteDialog.showModal();
  document.getElementById("delete-confirm").focus();
}

async function saveEdit(event) {
  event.preventDefault();
  clearFieldErrors(editForm);
  say(editSummary, "");
  const errors = validateHotel(editForm).filter(
    (e) => e.field !== "managerEmail" || editForm.managerEmail.value.trim(),
  );
  if (errors.length) {
    showFieldErrors(editForm, errors);
    return;
  }
  const body = {
    name: editForm.name.value.trim(),
    city: editForm.city.value.trim(),
    stars: Number(editForm.stars.value),
    pricePerNight: editForm.pricePerNight.value.trim(),
    rooms: Number(editForm.rooms.value),
  };
  // Only a different choice names a new manager (the API stores the chosen user's sub).
  const chosen = editForm.managerEmail.value;
  if (chosen && chosen !== editingManager?.managerEmail) body.managerEmail = chosen;
  await busy(document.getElementById("edit-submit"), async () => {
    try {
      const saved = await api(`/hotels/${encodeURIComponent(editing.hotelId)}`, {
        method: "PUT",
        json: body,
      });
      const hotel = { ...editing, ...body, ...(saved ?? {}) };
      document.getElementById(`hotel-${hotel.hotelId}`)?.replaceWith(row(hotel));
      editDialog.close();
      say(announcer, `Saved the changes to ${hotel.name}.`, "ok");
      document.querySelector(`#hotel-${CSS.escape(hotel.hotelId)} button`)?.focus();
    } catch (error) {
      if (!signInAgain(error)) showApiError(editForm, editSummary, error);
    }
  });
}

async function confirmDelete() {
  const hotel = deleting;
  await busy(document.getElementById("delete-confirm"), async () => {
    try {
      await api(`/hotels/${encodeURIComponent(hotel.hotelId)}`, { method: "DELETE" });
      deleteDialog.close();
      document.getElementById(`hotel-${hotel.hotelId}`)?.remove();
      say(announcer, `Deleted ${hotel.name}.`, "ok");
      document.getElementById("main").focus();
    } catch (error) {
      if (signInAgain(error)) return;
      const message =
        error.status === 409 ? `${hotel.name} cannot be deleted: ${error.message}` : error.message;
      say(deleteError, message, "error");
    }
  });
}

async function main() {
  if (!(await startPage({ requires: "Admin" }))) return;
  editForm.addEventListener("submit", saveEdit);
  document.getElementById("delete-confirm").addEventListener("click", confirmDelete);
  for (const dialog of [editDialog, deleteDialog]) {
    for (const button of dialog.querySelectorAll("[data-close]")) {
      button.addEventListener("click", () => close(dialog));
    }
    dialog.addEventListener("cancel", () => setTimeout(() => opener?.focus()));
  }
  more.addEventListener("click", () => busy(more, load));
  await load();
}

main();
