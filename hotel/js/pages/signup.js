import { signUp } from "../auth.js";
import { emailProblem, handleSubmit } from "../accountForm.js";
import { startPage } from "../page.js";
import { passwordProblem, showPasswordRules } from "../password.js";

const form = document.getElementById("signup-form");
const ready = startPage();
let policy = {};

async function main() {
  const started = await ready;
  if (!started) return;
  policy = started.config.passwordPolicy ?? {};
  showPasswordRules(document.getElementById("password-rules"), form.password, policy);
}

function listen() {
  handleSubmit(form, {
    ready,
    summary: document.getElementById("signup-summary"),
    button: document.getElementById("signup-submit"),
    fieldFor: {
      UsernameExistsException: "email",
      InvalidPasswordException: "password",
    },
    check() {
      const errors = [];
      const email = emailProblem(form.email.value.trim());
      if (email) errors.push({ field: "email", message: email });
      if (!form.name.value.trim()) errors.push({ field: "name", message: "Enter your name." });
      const password = passwordProblem(policy, form.password.value);
      if (password) errors.push({ field: "password", message: password });
      return errors;
    },
    async run() {
      const email = form.email.value.trim();
      const name = form.name.value.trim();
      const { confirmed, sentTo } = await signUp(email, name, form.password.value);
      const query = new URLSearchParams({ email });
      if (confirmed) {
        location.href = `login.html?${query}&confirmed=1`;
        return;
      }
      if (sentTo) query.set("sent", sentTo);
      location.href = `confirm.html?${query}`;
    },
  });
}

listen();
main();
