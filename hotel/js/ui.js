// Small DOM helpers shared by the pages. Text always goes in as text, never as HTML.

/** h("a", {href: "x", class: "y"}, "text", child...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return el;
}

/** One date and money format everywhere (the emails use the same: logic/wording.py). */
export const LOCALE = "en-GB";

export function formatMoney(amount, currency = "EUR") {
  const value = Number(amount);
  if (!Number.isFinite(value)) return "";
  try {
    return new Intl.NumberFormat(LOCALE, { style: "currency", currency }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}

/** "2025-12-01" → "Mon, 1 Dec 2025", read as a calendar date (no time zone shift). */
export function formatDate(iso) {
  const [y, m, d] = String(iso).split("-").map(Number);
  if (!y || !m || !d) return String(iso ?? "");
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(LOCALE, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
}

/** A stay → "Mon, 1 Dec 2025 to Thu, 4 Dec 2025 (3 nights)" (as logic/wording.py's stay). */
export function formatStay(checkIn, checkOut) {
  return `${formatDate(checkIn)} to ${formatDate(checkOut)} (${count(
    nightsBetween(checkIn, checkOut),
    "night",
  )})`;
}

/** An instant → "Mon, 1 Dec 2025, 14:05 UTC" (as the emails write it: logic/wording.py). */
export function formatMoment(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return String(iso ?? "");
  const day = formatDate(at.toISOString().slice(0, 10));
  const time = at.toLocaleTimeString(LOCALE, {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: "UTC",
  });
  return `${day}, ${time} UTC`;
}

/** "1 night", "2 nights". */
export function count(n, word, plural = `${word}s`) {
  return `${n} ${n === 1 ? word : plural}`;
}

export function nightsBetween(checkIn, checkOut) {
  const a = Date.parse(`${checkIn}T00:00:00Z`);
  const b = Date.parse(`${checkOut}T00:00:00Z`);
  return Number.isFinite(a) && Number.isFinite(b) ? Math.round((b - a) / 86_400_000) : NaN;
}

/** Today + days as YYYY-MM-DD in the visitor's calendar. */
export function isoDate(days = 0) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** An ISO date plus some days, as an ISO date. */
export function addDays(iso, days) {
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isFinite(t) ? new Date(t + days * 86_400_000).toISOString().slice(0, 10) : "";
}

export function starsElement(stars) {
  const n = Math.max(0, Math.min(5, Number(stars) || 0));
  return h(
    "span",
    { class: "stars", role: "img", "aria-label": `${n} star${n === 1 ? "" : "s"}` },
    "★".repeat(n),
  );
}

export function hotelPicture(hotel, { width = 320, height = 200, eager = false } = {}) {
  if (!hotel.imageUrl) {
    return h("div", { class: "picture placeholder", "aria-hidden": "true" }, "No picture");
  }
  return h("img", {
    class: "picture",
    src: hotel.imageUrl,
    alt: `Picture of ${hotel.name}`,
    width,
    height,
    loading: eager ? "eager" : "lazy",
  });
}

// ---------------------------------------------------------------- messages
/** Show a message in a page-level region (role=status or role=alert). Empty text clears it. */
export function say(region, text, kind = "info") {
  if (!region) return;
  region.textContent = text ?? "";
  region.dataset.kind = kind;
  region.hidden = !text;
}

// ---------------------------------------------------------------- form errors
/**
 * Put each error next to its field: `<small id="{field}-error">` under the input, the input
 * marked aria-invalid and described by it. A message that reads as the end of a sentence
 * ("is required") gets the field's label in front. Errors for fields the form does not have
 * are returned so the caller can show them in the form's summary.
 */
export function showFieldErrors(form, errors) {
  const unplaced = [];
  let first = null;
  for (const error of errors) {
    const name = String(error.field ?? "")
      .split(/[./]/)
      .pop();
    const input = name ? form.elements.namedItem(name) : null;
    if (!input || !(input instanceof Element)) {
      unplaced.push(error.field ? `${error.field} ${error.message}` : error.message);
      continue;
    }
    const slot = errorSlot(form, input);
    if (slot.textContent) continue; // one message per field: the first
    slot.textContent = sentence(labelOf(form, input), error.message);
    input.setAttribute("aria-invalid", "true");
    first ??= input;
  }
  first?.focus();
  return unplaced;
}

function labelOf(form, input) {
  const label = input.id ? form.querySelector(`label[for="${CSS.escape(input.id)}"]`) : null;
  return (label?.textContent ?? input.name).replace(/\s*\(.*\)\s*$/, "").trim();
}

function sentence(label, message) {
  const text = String(message ?? "").trim();
  const full = label && /^[a-z]/.test(text) ? `${label} ${text}` : text;
  return /[.!?]$/.test(full) ? full : `${full}.`;
}

export function clearFieldErrors(form) {
  for (const slot of form.querySelectorAll(".field-error")) slot.textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]"))
    input.removeAttribute("aria-invalid");
}

function errorSlot(form, input) {
  const id = `${input.id || input.name}-error`;
  let slot = form.querySelector(`#${CSS.escape(id)}`);
  if (!slot) {
    slot = h("small", { id, class: "field-error" });
    input.after(slot);
  }
  const described = new Set(
    (input.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean),
  );
  described.add(id);
  input.setAttribute("aria-describedby", [...described].join(" "));
  return slot;
}

/** Show a form's outcome: the API's field errors beside the fields, the rest in the summary. */
export function showApiError(form, summary, error) {
  const unplaced = showFieldErrors(form, error.errors ?? []);
  const placed = (error.errors ?? []).length - unplaced.length;
  const lines = [];
  if (placed) {
    lines.push(
      placed === 1
        ? "Please correct the field marked below."
        : "Please correct the fields marked below.",
    );
  } else {
    lines.push(sentence("", error.message).replace(/^./, (c) => c.toUpperCase()));
  }
  lines.push(...unplaced.map((line) => sentence("", line)));
  say(summary, lines.join(" "), "error");
  if (!placed) summary?.focus?.();
}

/** Disable a form's submit button and mark it busy while `work` runs. */
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}
