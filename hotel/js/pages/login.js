import { AuthError, currentUser, signIn } from "../auth.js";
import { renderNav, startPage } from "../page.js";
import { busy, clearFieldErrors, say, showFieldErrors } from "../ui.js";

const form = document.getElementById("login-form");
const summary = document.getElementById("login-summary");

/** Where to go after signing in: only a page of this site (never another origin). */
function nextPage() {
  const next = new URLSearchParams(location.search).get("next") ?? "";
  return /^[A-Za-z][\w-]*\.html(\?[^#\s]*)?$/.test(next) ? next : "bookings.html";
}

async function main() {
  const started = await startPage();
  if (!started) return;
  const { config, user } = started;
  if (/^https?:\/\/(localhost|127\.0\.0\.1)[:/]/.test(config.cognitoEndpoint)) {
    document.getElementById("local-hint").hidden = false;
  }
  if (user) {
    const note = document.getElementById("signed-in");
    note.textContent = `You are signed in as ${user.email}. Signing in again switches user.`;
    note.hidden = false;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    say(summary, "");
    const email = form.email.value.trim();
    const password = form.password.value;
    const errors = [];
    if (!email) errors.push({ field: "email", message: "Enter your email address." });
    else if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      errors.push({ field: "email", message: "Enter an email address like name@example.com." });
    }
    if (!password) errors.push({ field: "password", message: "Enter your password." });
    if (errors.length) {
      showFieldErrors(form, errors);
      return;
    }
    await busy(document.getElementById("login-submit"), async () => {
      try {
        await signIn(email, password);
      } catch (error) {
        say(summary, error instanceof AuthError ? error.message : "Sign-in failed.", "error");
        summary.focus();
        form.password.value = "";
        return;
      }
      renderNav(currentUser());
      location.href = nextPage();
    });
  });
}

main();
