// The mailbox page's new-mail check: it polls the JSON and says how many arrived (a status
// message screen readers announce); the button shows them. A meta refresh reloaded the page
// every 5 s under the reader (axe: meta-refresh, critical) and lost the scroll position.
const button = document.getElementById("refresh");
const status = document.getElementById("new-mail");
const shown = Number(button.dataset.count);
button.addEventListener("click", () => location.reload());
async function check() {
  try {
    const to = new URLSearchParams(location.search).get("to");
    const query = to ? "?to=" + encodeURIComponent(to) : "";
    const mails = await (await fetch("/mailbox/messages.json" + query)).json();
    const fresh = mails.length - shown;
    status.textContent = fresh > 0 ? (fresh === 1 ? "1 new message" : fresh + " new messages") : "";
    button.textContent = fresh > 0 ? "Show new mail" : "Check for new mail";
  } catch (e) { /* the local stack stopped; the button still reloads */ }
}
setInterval(check, 3000);
