import { forgotPassword, resetPassword } from "../auth.js";
import { emailFromUrl, emailProblem, handleSubmit, showLocalMailboxHint } from "../accountForm.js";
import { startPage } from "../page.js";
import { passwordProblem, showPasswordRules } from "../password.js";
import { say } from "../ui.js";

const request = document.getElementById("request-form");
const reset = document.getElementById("reset-form");
const ready = startPage();
let policy = {};
let email = "";

async function main() {
  listen();
  request.email.value = emailFromUrl();
  const started = await ready;
  if (!started) return;
  policy = started.config.passwordPolicy ?? {};
  showPasswordRules(document.getElementById("password-rules"), reset.password, policy);
  showLocalMailboxHint(started.config);
}

function listen() {
  handleSubmit(request, {
    ready,
    summary: document.getElementById("request-summary"),
    button: document.getElementById("request-submit"),
    check() {
      const problem = emailProblem(request.email.value.trim());
      return problem ? [{ field: "email", message: problem }] : [];
    },
    async run() {
      email = request.email.value.trim();
      // Cognito answers alike for unknown addresses (a made-up masked destination): say only
      // what is true either way.
      await forgotPassword(email);
      say(
        document.getElementById("reset-sent"),
        `If an account uses ${email}, we have emailed a 6-digit code to that address; it works ` +
          "for one hour. No email within a few minutes? Check the address, or create an account.",
        "ok",
      );
      request.hidden = true;
      reset.hidden = false;
      reset.code.focus();
    },
  });

  handleSubmit(reset, {
    ready,
    summary: document.getElementById("reset-summary"),
    button: document.getElementById("reset-submit"),
    fieldFor: {
      CodeMismatchException: "code",
      ExpiredCodeException: "code",
      InvalidPasswordException: "password",
    },
    check() {
      const errors = [];
      if (!/^\d{6}$/.test(reset.code.value.trim())) {
        errors.push({ field: "code", message: "Enter the 6-digit code from the email." });
      }
      const problem = passwordProblem(policy, reset.password.value);
      if (problem) errors.push({ field: "password", message: problem });
      return errors;
    },
    async run() {
      await resetPassword(email, reset.code.value.trim(), reset.password.value);
      location.href = `login.html?${new URLSearchParams({ email, reset: "1" })}`;
    },
  });
}

main();
