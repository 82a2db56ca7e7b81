import { api } from "../api.js";
import { here, startPage } from "../page.js";
import { busy, h, say } from "../ui.js";

const rows = document.getElementById("user-rows");
const section = document.getElementById("users");
const announcer = document.getElementById("announcer");
const listError = document.getElementById("list-error");
const more = document.getElementById("more");
const MANAGER = "HotelManager";
const STATUS = {
  CONFIRMED: "Confirmed",
  UNCONFIRMED: "Email not confirmed",
  FORCE_CHANGE_PASSWORD: "Must choose a password",
  RESET_REQUIRED: "Must reset password",
};
let me = null;
let nextToken = null;

function label(user) {
  return user.name || user.email || user.userId;
}

function action(text, aria, kind, run) {
  return h(
    "button",
    {
      type: "button",
      class: `${kind} outline small`,
      "aria-label": aria,
      onclick: (event) => busy(event.currentTarget, run),
    },
    text,
  );
}

function row(user) {
  const who = label(user);
  const isManager = user.groups.includes(MANAGER);
  const actions = [
    isManager
      ? action("Remove hotel manager", `Remove hotel manager: ${who}`, "secondary", () =>
          change(user, `/users/${encodeURIComponent(user.userId)}/groups/${MANAGER}`, "DELETE",
            `${who} is no longer a hotel manager.`))
      : action("Make hotel manager", `Make hotel manager: ${who}`, "secondary", () =>
          change(user, `/users/${encodeURIComponent(user.userId)}/groups/${MANAGER}`, "PUT",
            `${who} is now a hotel manager.`)),
  ];
  if (user.sub !== me?.sub) {
    actions.push(
      user.enabled
        ? action("Disable", `Disable ${who}`, "danger", () => askDisable(user, who))
        : action("Enable", `Enable ${who}`, "secondary", () =>
            change(user, `/users/${encodeURIComponent(user.userId)}/enable`, "POST",
              `${who} is enabled.`)),
    );
  }
  return h(
    "li",
    { id: `user-${user.userId}`, "data-email": user.email ?? "" },
    h(
      "article",
      {},
      h(
        "div",
        { class: "info" },
        h("h2", {}, who),
        h(
          "p",
          { class: "meta" },
          user.name && user.email ? h("span", {}, user.email) : null,
          h("span", {}, STATUS[user.status] ?? user.status),
          user.enabled ? null : h("span", { class: "role disabled" }, "Disabled"),
          user.groups.map((group) => h("span", { class: "role" }, group)),
        ),
      ),
      h("div", { class: "actions" }, actions),
    ),
  );
}

const disableDialog = document.getElementById("disable-dialog");
let disabling = null;

/** Disabling locks someone out: the dialog says what happens, and nothing is sent before Yes. */
function askDisable(user, who) {
  disabling = { user, who, opener: document.activeElement };
  document.getElementById("disable-title").textContent = `Disable ${who}?`;
  const manager = user.groups.includes(MANAGER)
    ? " The hotels they manage keep them as manager, so their approvals wait until you enable " +
      "them again or give the hotels another manager."
    : "";
  document.getElementById("disable-text").textContent =
    `${who} will no longer be able to sign in, and pages they have open stop working within ` +
    `the hour. Their bookings stay as they are.${manager} You can enable them again at any time.`;
  disableDialog.showModal();
  document.getElementById("disable-confirm").focus();
}

disableDialog.querySelector("[data-close]").addEventListener("click", () => {
  disableDialog.close();
  disabling?.opener?.focus();
});
document.getElementById("disable-confirm").addEventListener("click", async () => {
  const { user, who } = disabling;
  disableDialog.close();
  await change(user, `/users/${encodeURIComponent(user.userId)}/disable`, "POST",
    `${who} is disabled.`);
});

async function change(user, path, method, done) {
  try {
    const now = await api(path, { method });
    document.getElementById(`user-${user.userId}`)?.replaceWith(row(now));
    say(announcer, done, "ok");
    document.querySelector(`#user-${CSS.escape(user.userId)} button`)?.focus();
  } catch (error) {
    if (error.status === 401) {
      location.href = `login.html?next=${encodeURIComponent(here())}`;
      return;
    }
    say(listError, `${label(user)}: ${error.message}`, "error");
    listError.focus();
  }
}

async function load() {
  section.setAttribute("aria-busy", "true");
  try {
    const page = await api("/users", { query: { nextToken } });
    rows.append(...page.items.map(row));
    nextToken = page.nextToken;
    more.hidden = !nextToken;
    if (!rows.children.length) rows.append(h("li", { class: "empty" }, "No users yet."));
  } catch (error) {
    say(listError, `Users could not be loaded: ${error.message}`, "error");
  } finally {
    section.setAttribute("aria-busy", "false");
  }
}

async function main() {
  const started = await startPage({ requires: "Admin" });
  if (!started) return;
  me = started.user;
  more.addEventListener("click", () => busy(more, load));
  await load();
}

main();
