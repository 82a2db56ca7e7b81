// The hotel manager picker: the users of the HotelManager group (GET /users, Admins only).
// The form sends the chosen user's email; the API stores that user's sub as the manager.
import { pagesOf } from "./api.js";
import { h } from "./ui.js";

/** Every HotelManager user, following the pages of GET /users. */
export async function loadManagers() {
  const { items: users } = await pagesOf("/users", { group: "HotelManager" }, Infinity);
  return users
    .filter((user) => user.email && user.enabled)
    .sort((a, b) => (a.name || a.email).localeCompare(b.name || b.email));
}

function label(user) {
  return user.name ? `${user.name} <${user.email}>` : user.email;
}

/**
 * Fill a <select name="managerEmail"> with the managers; `current` ({managerSub, managerEmail})
 * is selected, and listed even when they are no longer a HotelManager (so the form shows who
 * manages the hotel today).
 */
export function fillManagerSelect(select, managers, { current, placeholder } = {}) {
  const options = managers.map((user) =>
    h("option", { value: user.email, "data-sub": user.sub }, label(user)),
  );
  let selected = "";
  if (current?.managerEmail) {
    const match = managers.find((user) => user.sub === current.managerSub);
    if (match) selected = match.email;
    else {
      options.unshift(
        h("option", { value: current.managerEmail }, `${current.managerEmail} (not a hotel manager now)`),
      );
      selected = current.managerEmail;
    }
  }
  if (placeholder) options.unshift(h("option", { value: "" }, placeholder));
  select.replaceChildren(...options);
  select.value = selected;
}
