import { AuthError, sessionUser, signIn } from "../auth.js";
import { emailFromUrl, nextPage } from "../accountForm.js";
import { landing, startPage } from "../page.js";
import { busy, clearFieldErrors, h, say, showFieldErrors } from "../ui.js";

const form = document.getElementById("login-form");
const summary = document.getElementById("login-summary");

const NOTICES = {
  confirmed: "Your email is confirmed. Sign in with your password.",
  reset: "Your password was changed. Sign in with the new one.",
};

// Started at once, the submit handler attached at once: a form sent before its handler
// exists would put the password in the address bar.
const ready = startPage();

async function main() {
  listen();
  if (emailFromUrl()) {
    form.email.value = emailFromUrl();
    form.password.focus();
  }
  const started = await ready;
  if (!started) return;
  const { config, user } = started;
  if (/^https?:\/\/(localhost|127\.0\.0\.1)[:/]/.test(config.cognitoEndpoint)) {
    document.getElementById("local-hint").hidden = false;
  }
  const params = new URLSearchParams(location.search);
  const notice = Object.keys(NOTICES).find((key) => params.has(key));
  if (notice) say(document.getElementById("notice"), NOTICES[notice], "ok");
  if (user) {
    const note = document.getElementById("signed-in");
    note.textContent = `You are signed in as ${user.email}. Signing in again switches user.`;
    note.hidden = false;
  }
  form.email.addEventListener("change", () => {
    const email = form.email.value.trim();
    document.getElementById("forgot-link").href = email
      ? `forgot.html?${new URLSearchParams({ email })}`
      : "forgot.html";
  });
}

function listen() {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!(await ready)) return;
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
      let result;
      try {
        result = await signIn(email, password);
      } catch (error) {
        showSignInError(error, email);
        return;
      }
      if (result?.challenge === "NEW_PASSWORD_REQUIRED") {
        location.href = `newPassword.html?next=${encodeURIComponent(nextPage(""))}`;
        return;
      }
      location.href = nextPage(landing(await sessionUser()));
    });
  });
}

function showSignInError(error, email) {
  form.password.value = "";
  if (error instanceof AuthError && error.code === "UserNotConfirmedException") {
    summary.replaceChildren(
      "This account has not been confirmed yet. ",
      h(
        "a",
        { href: `confirm.html?${new URLSearchParams({ email })}` },
        "Enter the code we emailed you",
      ),
      ".",
    );
    summary.dataset.kind = "error";
    summary.hidden = false;
  } else {
    say(summary, error instanceof AuthError ? error.message : "Sign-in failed.", "error");
  }
  summary.focus();
}

main();
