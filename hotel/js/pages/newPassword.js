import { completeNewPassword, pendingChallenge, sessionUser } from "../auth.js";
import { handleSubmit, nextPage } from "../accountForm.js";
import { landing, startPage } from "../page.js";
import { passwordProblem, showPasswordRules } from "../password.js";
import { say } from "../ui.js";

const form = document.getElementById("new-password-form");
const summary = document.getElementById("new-password-summary");
const ready = startPage();
let policy = {};

async function main() {
  listen();
  const started = await ready;
  if (!started) return;
  policy = started.config.passwordPolicy ?? {};
  const challenge = pendingChallenge();
  if (!challenge) {
    say(summary, "Sign in with your temporary password first.", "error");
    location.replace(`login.html?next=${encodeURIComponent(nextPage())}`);
    return;
  }
  form.username.value = challenge.email; // lets password managers save the new password
  showPasswordRules(document.getElementById("password-rules"), form.password, policy);
  form.password.focus();
}

function listen() {
  handleSubmit(form, {
    ready,
    summary,
    button: document.getElementById("new-password-submit"),
    fieldFor: { InvalidPasswordException: "password" },
    check() {
      const problem = passwordProblem(policy, form.password.value);
      return problem ? [{ field: "password", message: problem }] : [];
    },
    async run() {
      await completeNewPassword(form.password.value);
      location.href = nextPage(landing(await sessionUser()));
    },
  });
}

main();
