// One execution's page: filter the history by state (from the picture or the list), open or
// close every event, and reload while the execution runs. The page's own values come in the
// script tag's data attributes.
const { running, events: eventCount, api } = document.currentScript.dataset;
const events = Array.from(document.querySelectorAll('#events .ev:not(.head)'));
const filter = document.getElementById('state-filter');
function show(state) {
  filter.value = state;
  for (const ev of events)
    ev.classList.toggle('hidden', state !== '' && ev.dataset.state !== state);
  for (const g of document.querySelectorAll('svg .state'))
    g.classList.toggle('selected', g.dataset.state === state);
}
filter.addEventListener('change', () => show(filter.value));
for (const g of document.querySelectorAll('svg .state')) {
  const pick = () => {
    const name = g.dataset.state;
    const known = Array.from(filter.options).some(o => o.value === name);
    show(filter.value === name || !known ? '' : name);
    document.getElementById('events').scrollIntoView({behavior: 'smooth', block: 'start'});
  };
  g.addEventListener('click', pick);
  g.addEventListener('keydown', e => { if (e.key === 'Enter') pick(); });
}
document.getElementById('expand').onclick = () =>
  events.forEach(ev => { if (ev.tagName === 'DETAILS' && !ev.hidden) ev.open = true; });
document.getElementById('collapse').onclick = () =>
  events.forEach(ev => { if (ev.tagName === 'DETAILS') ev.open = false; });
if (running === 'true') setInterval(async () => {
  try {
    const now = await (await fetch(api)).json();
    if (now.status !== 'RUNNING' || now.events.length !== Number(eventCount)) location.reload();
  } catch (e) { /* the stack stopped: keep the page as it is */ }
}, 2000);
