// Sortable, filterable tables: click a column header to sort (again: reverse), type in the box
// above a table to keep rows holding every word. Inline, no network: the page's CSP allows this
// script by its hash only.
document.querySelectorAll("table.sortable").forEach((table) => {
  const body = table.tBodies[0];
  const rows = () => Array.from(body.rows);
  table.querySelectorAll("th button").forEach((button, column) => {
    button.addEventListener("click", () => {
      const up = button.dataset.order !== "up";
      table.querySelectorAll("th button").forEach((b) => { delete b.dataset.order; b.parentElement.removeAttribute("aria-sort"); });
      button.dataset.order = up ? "up" : "down";
      button.parentElement.setAttribute("aria-sort", up ? "ascending" : "descending");
      const key = (row) => {
        const cell = row.cells[column];
        const number = cell.dataset.sort === undefined || cell.dataset.sort === "" ? NaN : Number(cell.dataset.sort);
        return Number.isNaN(number) ? cell.textContent.trim() : number;
      };
      const sorted = rows().sort((a, b) => {
        const x = key(a), y = key(b);
        const order = typeof x === "number" && typeof y === "number" ? x - y
          : typeof x === "number" ? -1 : typeof y === "number" ? 1 : x.localeCompare(y, undefined, {numeric: true});
        return up ? order : -order;
      });
      sorted.forEach((row) => body.appendChild(row));
    });
  });
  const filter = table.parentElement.previousElementSibling;
  if (filter && filter.classList.contains("filter")) {
    filter.addEventListener("input", () => {
      const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      rows().forEach((row) => {
        const text = row.textContent.toLowerCase();
        const keep = words.every((word) => text.includes(word));
        row.hidden = !keep;
        shown += keep;
      });
      filter.dataset.shown = shown;
      filter.setAttribute("aria-description", shown + " rows shown");
    });
  }
});
