import { api } from "../api.js";
import { validateHotel } from "../hotelForm.js";
import { fillManagerSelect, loadManagers } from "../managers.js";
import { here, startPage } from "../page.js";
import { fitPicture } from "../picture.js";
import { busy, clearFieldErrors, h, say, showApiError, showFieldErrors } from "../ui.js";

const form = document.getElementById("hotel-form");
const summary = document.getElementById("hotel-summary");
const added = document.getElementById("added");
const preview = document.getElementById("picture-preview");

function showPreview() {
  const file = form.picture.files?.[0];
  if (preview.src) URL.revokeObjectURL(preview.src);
  if (file && file.type.startsWith("image/")) {
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
  } else {
    preview.removeAttribute("src");
    preview.hidden = true;
  }
}

async function showManagers() {
  try {
    const managers = await loadManagers();
    fillManagerSelect(form.managerEmail, managers, {
      placeholder: managers.length ? "Choose a manager" : "No hotel managers yet",
    });
  } catch (error) {
    fillManagerSelect(form.managerEmail, [], { placeholder: "Could not load the managers" });
    say(summary, `The hotel managers could not be loaded: ${error.message}`, "error");
  }
}

// Listen at once: a picture chosen while the page still loads its managers gets its preview.
form.picture.addEventListener("change", showPreview);

// The form is ours from the first moment: a submit while the page still loads waits for it
// (a native submit would send the fields as a GET to this page).
let pageReady;
const ready = new Promise((resolve) => {
  pageReady = resolve;
});

async function main() {
  if (!(await startPage({ requires: "Admin" }))) return;
  await showManagers();
  pageReady();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  await ready;
  clearFieldErrors(form);
  say(summary, "");
  say(added, "");
  const errors = validateHotel(form, { pictureRequired: true });
  if (errors.length) {
    showFieldErrors(form, errors);
    say(
      summary,
      errors.length === 1
        ? "1 field needs your attention."
        : `${errors.length} fields need your attention.`,
      "error",
    );
    return;
  }
  const data = new FormData(form);
  for (const name of ["name", "city"]) data.set(name, data.get(name).trim());
  await busy(document.getElementById("hotel-submit"), async () => {
    const chosen = form.picture.files?.[0];
    if (chosen) {
      const fitted = await fitPicture(chosen);
      if (!fitted.file) {
        const message = "This picture is too large and could not be scaled down.";
        const errors = [{ field: "picture", message }];
        showFieldErrors(form, errors);
        say(summary, "1 field needs your attention.", "error");
        return;
      }
      if (fitted.scaled) {
        data.set("picture", fitted.file, fitted.file.name);
        const size = `${fitted.width} × ${fitted.height}`;
        say(summary, `The picture was scaled down to ${size} pixels to upload it.`);
      }
    }
    try {
      const hotel = await api("/hotels", { method: "POST", form: data });
      form.reset();
      showPreview();
      added.replaceChildren(
        `“${hotel.name}” was added. `,
        h("a", { href: `hotel.html?id=${encodeURIComponent(hotel.hotelId)}` }, "See its page"),
        " or add another below.",
      );
      added.hidden = false;
      form.name.focus();
    } catch (error) {
      if (error.status === 401) {
        location.href = `login.html?next=${encodeURIComponent(here())}`;
        return;
      }
      if (error.status === 413) {
        const errors = [{ field: "picture", message: error.message }];
        showApiError(form, summary, { message: error.message, errors });
      } else {
        showApiError(form, summary, error);
      }
    }
  });
});

main();
