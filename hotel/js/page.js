// What every page does first: the shared navigation, config.json, and who may see the page.
import { sessionUser, signOut } from "./auth.js";
import { loadConfig } from "./config.js";
import { h } from "./ui.js";

const LINKS = [
  { href: "index.html", text: "Find a hotel", show: () => true },
  // Staff have it in the account menu: their nav keeps to their work (and fits 1280 px).
  {
    href: "bookings.html",
    text: "My bookings",
    show: (user) => Boolean(user) && !user.isAdmin && !user.isManager,
  },
  { href: "manager.html", text: "Approvals", show: (user) => user?.isManager },
  { href: "admin.html", text: "Manage hotels", show: (user) => user?.isAdmin },
  { href: "addHotel.html", text: "Add a hotel", show: (user) => user?.isAdmin },
  { href: "users.html", text: "Users", show: (user) => user?.isAdmin },
];

// Pages about getting in: the nav offers no "Sign in" there.
const ACCOUNT_PAGES = new Set([
  "login.html",
  "signup.html",
  "confirm.html",
  "forgot.html",
  "newPassword.html",
]);

const ROLE_NAMES = { Admin: "administrators", HotelManager: "hotel managers" };

/** Where a user lands after signing in: their work first (managers' approvals, admins' hotels). */
export function landing(user) {
  if (user?.isAdmin) return "admin.html";
  if (user?.isManager) return "manager.html";
  return "bookings.html";
}

/** The account menu: who is signed in, in which roles, and Sign out. */
function accountMenu(user) {
  const roles = user.groups.filter((g) => g in ROLE_NAMES);
  const menu = h(
    "details",
    { class: "dropdown account-menu" },
    h(
      "summary",
      {},
      h("span", { class: "visually-hidden" }, "Account: "),
      h("strong", { title: user.email, "data-testid": "user-name" }, user.name),
    ),
    h(
      "ul",
      { dir: "rtl" },
      h(
        "li",
        { dir: "ltr", class: "account-who" },
        h("span", { class: "muted small" }, "Signed in as "),
        h("span", { class: "small" }, user.email),
        roles.map((role) => h("span", { class: "role" }, role)),
      ),
      h("li", { dir: "ltr" }, h("a", { href: "bookings.html" }, "My bookings")),
      h(
        "li",
        { dir: "ltr" },
        h(
          "button",
          {
            type: "button",
            class: "secondary outline small",
            onclick: async (event) => {
              event.currentTarget.setAttribute("aria-busy", "true");
              await signOut();
              location.href = "index.html";
            },
          },
          "Sign out",
        ),
      ),
    ),
  );
  // Escape closes it, and focus goes back to its button.
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  return menu;
}

/** This page as a relative reference (for login.html?next=). */
export function here() {
  const file = location.pathname.split("/").pop() || "index.html";
  return file + location.search;
}

export function renderNav(user) {
  const header = document.getElementById("site-header");
  if (!header) return;
  const page = location.pathname.split("/").pop() || "index.html";
  const links = LINKS.filter((link) => link.show(user)).map((link) =>
    h(
      "li",
      {},
      h("a", { href: link.href, "aria-current": link.href === page ? "page" : null }, link.text),
    ),
  );
  let who;
  if (user) {
    who = h("ul", { class: "who" }, h("li", {}, accountMenu(user)));
  } else if (ACCOUNT_PAGES.has(page)) {
    who = h("ul", { class: "who" });
  } else {
    who = h(
      "ul",
      { class: "who" },
      h("li", {}, h("a", { href: "signup.html", class: "small" }, "Create an account")),
      h(
        "li",
        {},
        h(
          "a",
          { href: `login.html?next=${encodeURIComponent(here())}`, class: "button small" },
          "Sign in",
        ),
      ),
    );
  }
  header.replaceChildren(
    h(
      "nav",
      { "aria-label": "Main" },
      h(
        "ul",
        { class: "brand" },
        h("li", {}, h("a", { href: "index.html" }, h("strong", {}, "Hotel Booking"))),
      ),
      h("ul", { class: "links" }, links),
      who,
    ),
  );
}

function stop(main, title, ...content) {
  document.title = `${title} · Hotel Booking`;
  main.replaceChildren(h("h1", {}, title), ...content);
}

/**
 * Render the nav and load config.json. `requires`: "user", "Admin" or "HotelManager"; a visitor
 * who is not signed in goes to the sign-in page, a user without the role sees why not.
 * Returns {user, config}, or null when the page must not go on.
 */
export async function startPage({ requires } = {}) {
  const user = await sessionUser(); // refreshes a session about to expire
  renderNav(user);
  const main = document.getElementById("main");
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    stop(
      main,
      "This page could not start",
      h("p", { role: "alert" }, `${error.message} Ask whoever deployed the site to check it.`),
    );
    return null;
  }
  if (requires && !user) {
    location.replace(`login.html?next=${encodeURIComponent(here())}`);
    return null;
  }
  if (requires in ROLE_NAMES && !user.groups.includes(requires)) {
    stop(
      main,
      "Not available to you",
      h("p", {}, `This page is for ${ROLE_NAMES[requires]}. You are signed in as ${user.email}.`),
      h("p", {}, h("a", { href: "index.html" }, "Find a hotel")),
    );
    return null;
  }
  return { user, config };
}
