// The list of executions: the search box hides the rows that do not match, without a round
// trip.
const find = document.getElementById('find');
const rows = Array.from(document.querySelectorAll('#executions tbody tr'));
find.addEventListener('input', () => {
  const q = find.value.trim().toLowerCase();
  for (const row of rows) row.hidden = q !== '' && !row.textContent.toLowerCase().includes(q);
});
