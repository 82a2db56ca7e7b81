// What the account forms (sign up, confirm, forgot password, new password) share: field
// checks before sending, Cognito's answer in the form's summary, the button busy meanwhile.
import { AuthError } from "./auth.js";
import { busy, clearFieldErrors, say, showFieldErrors } from "./ui.js";

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function emailProblem(email) {
  if (!email) return "Enter your email address.";
  return EMAIL.test(email) ? "" : "Enter an email address like name@example.com.";
}

/** Locally (`make run`) Cognito's emails land in the local mailbox: say where. */
export function showLocalMailboxHint(config) {
  const hint = document.getElementById("local-hint");
  if (hint && /^https?:\/\/(localhost|127\.0\.0\.1)[:/]/.test(config.cognitoEndpoint)) {
    hint.hidden = false;
  }
}

/** The ?email= of this page's address, if any. */
export function emailFromUrl() {
  return new URLSearchParams(location.search).get("email") ?? "";
}

/**
 * On submit: `check()` returns [{field, message}] (nothing sent when not empty), then `run()`
 * talks to Cognito. An AuthError's message goes to the summary, or beside `fieldFor[code]`.
 * Call it when the module loads, before the page has started (`ready`, startPage's promise):
 * a form sent before its handler exists would put the password in the address.
 */
export function handleSubmit(form, { ready, summary, button, check, run, fieldFor = {} }) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!(await ready)) return;
    clearFieldErrors(form);
    say(summary, "");
    const errors = check();
    if (errors.length) {
      showFieldErrors(form, errors);
      return;
    }
    await busy(button, async () => {
      try {
        await run();
      } catch (error) {
        const message = error instanceof AuthError ? error.message : "Something went wrong.";
        const field = fieldFor[error.code];
        if (field) showFieldErrors(form, [{ field, message }]);
        else {
          say(summary, message, "error");
          summary.focus();
        }
      }
    });
  });
}

/** Where to go after signing in: ?next= when it is a page of this site, else my bookings. */
/** Where to go after signing in: ?next= if it names one of our pages, else `fallback`. */
export function nextPage(fallback = "bookings.html") {
  const next = new URLSearchParams(location.search).get("next") ?? "";
  return /^[A-Za-z][\w-]*\.html(\?[^#\s]*)?$/.test(next) ? next : fallback;
}
